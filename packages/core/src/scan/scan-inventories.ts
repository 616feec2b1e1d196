import { PatchwiseError } from '../errors/index.js';
import { DEFAULT_LIMITS, readInputs, type InputLimits } from '../input/index.js';
import { PackageCache, parseInventory, type HostInventory, type InventoryParseOptions, type SkippedCount } from '../inventory/index.js';
import { assessHost, type Matcher } from '../matching/index.js';
import type { HostReporter, ReportedHost } from './host-report.js';

export type ScanEvent =
  | ({
      readonly kind: 'host';
      readonly problems: readonly PatchwiseError[];
      /** Entries of the host's inventory that were left out, counted by reason (no purl, unknown distro, …). */
      readonly leftOut: readonly SkippedCount[];
    } & ReportedHost)
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
  const inventoryOptions = { packageCache: new PackageCache(), ...options.inventory, maxDepth: limits.maxDepth };
  for await (const item of readInputs(paths, limits)) {
    if (item.kind === 'problem') {
      yield { kind: 'skipped', error: item.error };
      continue;
    }
    let parsed;
    try {
      parsed = parseInventory(item.text, item.name, inventoryOptions);
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      yield { kind: 'skipped', error: err.withInput(item.name) };
      continue;
    }
    for (let i = 0; i < parsed.inventories.length; i++) {
      const assessment = assessHost(options.matcher, parsed.inventories[i] as HostInventory);
      // A document's left-out entries are counted once, with its first host.
      const leftOut = i === 0 ? parsed.skipped : [];
      yield { kind: 'host', ...options.reporter.report(assessment), problems: assessment.problems, leftOut };
    }
  }
}
