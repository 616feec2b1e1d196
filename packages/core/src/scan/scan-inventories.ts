import type { PatchwiseError } from '../errors/index.js';
import type { InputLimits } from '../input/index.js';
import { PackageCache, readInventories, type HostInventory, type InventoryParseOptions, type InventoryReadEvent, type SkippedCount } from '../inventory/index.js';
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

export interface AssessOptions {
  readonly matcher: Matcher;
  readonly reporter: HostReporter;
}

export interface ScanOptions extends AssessOptions {
  readonly limits?: InputLimits;
  readonly inventory?: InventoryParseOptions;
}

/**
 * Streams inventories (files, directories, archives; formats detected from content) through the
 * matcher, yielding one report per host as soon as it is ready, so memory stays flat however
 * large the fleet. Unreadable inputs are yielded as `skipped` and the scan goes on.
 */
export function scanInventories(paths: readonly string[], options: ScanOptions): AsyncGenerator<ScanEvent> {
  const inventory = { packageCache: new PackageCache(), ...options.inventory };
  return assessInventories(readInventories(paths, { limits: options.limits, inventory }), options);
}

/**
 * The scan after reading: each host of each parsed input assessed and reported, in the order
 * the inputs come (read in this thread, or by parser threads that keep the order).
 */
export async function* assessInventories(events: AsyncIterable<InventoryReadEvent>, options: AssessOptions): AsyncGenerator<ScanEvent> {
  for await (const event of events) {
    if (event.kind === 'skipped') {
      yield event;
      continue;
    }
    const parsed = event.result;
    for (let i = 0; i < parsed.inventories.length; i++) {
      const assessment = assessHost(options.matcher, parsed.inventories[i] as HostInventory);
      // A document's left-out entries are counted once, with its first host.
      const leftOut = i === 0 ? parsed.skipped : [];
      yield { kind: 'host', ...options.reporter.report(assessment), problems: assessment.problems, leftOut };
    }
  }
}
