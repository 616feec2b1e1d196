import type { FindingReport, HostReport } from '@patchwise/core';

/**
 * A streaming output format: opened once, fed host by host, closed once. `host` returns the
 * host's text alone (possibly empty); the writer puts `separator` between non-empty texts.
 */
export interface ReportFormat {
  readonly separator: string;
  begin(): string;
  host(report: HostReport, groups: readonly (readonly FindingReport[])[]): string;
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
