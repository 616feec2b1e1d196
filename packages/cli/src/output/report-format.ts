import type { FindingReport, HostReport } from '@patchwise/core/assessment';

/** Output text, or bytes already encoded as UTF-8 (formats cache these to skip re-encoding). */
export type Chunk = string | Buffer;

/**
 * A streaming output format: opened once, fed host by host, closed once. `host` returns the
 * host's output as chunks to write in order (none: the host writes nothing); the writer puts
 * `separator` between hosts that wrote something.
 */
export interface ReportFormat {
  readonly separator: string;
  begin(): string;
  host(report: HostReport, groups: readonly (readonly FindingReport[])[]): readonly Chunk[];
  end(summary: ScanSummary): string;
}

export interface ScanSummary {
  readonly hosts: number;
  readonly findings: number;
  readonly byPriority: Readonly<Record<FindingReport['priority'], number>>;
  readonly skipped: number;
}

export const FORMAT_NAMES = ['table', 'json', 'csv', 'sarif'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];
