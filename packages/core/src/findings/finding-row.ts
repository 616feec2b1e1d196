import type { HostAssessment } from '../matching/index.js';
import type { FindingReport, HostReporter } from '../scan/index.js';

/** A finding as assessed now: the report plus the ecosystem that identifies its package. */
export interface AssessedFinding extends FindingReport {
  readonly ecosystem: string;
  /** The advisory's publication date (OSV `published`), when the record gives a valid one. */
  readonly published: Date | null;
}

/** Stored findings move open → fixed, and back to open if the package regresses. */
export type FindingState = 'open' | 'fixed';

/** A stored finding with its lifecycle. */
export interface StoredFinding extends AssessedFinding {
  readonly id: string;
  readonly hostId: string;
  readonly state: FindingState;
  /** When it was (last) found open. Reopening starts a new cycle, so time-to-patch stays honest. */
  readonly firstSeen: Date;
  readonly fixedAt: Date | null;
  readonly updatedAt: Date;
}

/** Every finding of an assessment, enriched and prioritised, with its package's ecosystem. */
export function assessedFindings(assessment: HostAssessment, reporter: HostReporter): AssessedFinding[] {
  const out: AssessedFinding[] = [];
  for (const pkg of assessment.packages) {
    // One package at a time so each report keeps its ecosystem; the reporter caches per package.
    const { groups } = reporter.report({ ...assessment, packages: [pkg] });
    for (const group of groups) {
      for (const f of group) out.push({ ...f, ecosystem: pkg.ecosystem, published: publishedOf(pkg.matches.find((m) => m.advisory.id === f.advisory)?.advisory.published) });
    }
  }
  return out;
}

export function findingKey(f: { readonly advisory: string; readonly ecosystem: string; readonly package: string }): string {
  return `${f.advisory}\u0000${f.ecosystem}\u0000${f.package}`;
}

/** OSV `published` as a date; a missing or unparsable one is unknown (null), never an error. */
function publishedOf(text: string | undefined): Date | null {
  if (text === undefined) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}
