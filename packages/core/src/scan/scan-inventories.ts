import { PatchwiseError } from '../errors/index.js';
import { decodeText, DEFAULT_LIMITS, readInputs, type InputLimits } from '../input/index.js';
import { parseInventory, type InventoryParseOptions } from '../inventory/index.js';
import { assessHost, type Matcher } from '../matching/index.js';
import type { HostReport, HostReporter } from './host-report.js';

export type ScanEvent =
  | { readonly kind: 'host'; readonly report: HostReport; readonly problems: readonly PatchwiseError[] }
  /** An input, or part of one, that was skipped, with the reason. */
  | { readonly kind: 'skipped'; readonly error: PatchwiseError };

export interface ScanOptions {
  readonly matcher: Matcher;
  readonly reporter: HostReporter;
  readonly limits?: InputLimits;
  readonly inventory?: InventoryParseOptions;
}

/**
 * Streams inventories (files, directories, archives; formats detected from content) through the
 * matcher, yielding one report per host as soon as it is ready, so memory stays flat however
 * large the fleet. Unreadable inputs are yielded as `skipped` and the scan goes on.
 */
export async function* scanInventories(paths: readonly string[], options: ScanOptions): AsyncGenerator<ScanEvent> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  for await (const item of readInputs(paths, limits)) {
    if (item.kind === 'problem') {
      yield { kind: 'skipped', error: item.error };
      continue;
    }
    let parsed;
    try {
      parsed = parseInventory(decodeText(item.bytes), item.name, { ...options.inventory, maxDepth: limits.maxDepth });
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      yield { kind: 'skipped', error: err.withInput(item.name) };
      continue;
    }
    for (const inventory of parsed.inventories) {
      const assessment = assessHost(options.matcher, inventory);
      yield { kind: 'host', report: options.reporter.report(assessment), problems: assessment.problems };
    }
  }
}
