import { createHash } from 'node:crypto';
import type { HostAssessment, PackageFindings } from '../matching/index.js';
import type { FindingReport, HostReporter } from '../scan/index.js';

/** A finding as assessed now: the report, the ecosystem that identifies its package, its keys. */
export interface AssessedFinding extends FindingReport {
  readonly ecosystem: string;
  /** The advisory's publication date (OSV `published`), when the record gives a valid one. */
  readonly published: Date | null;
  /** The finding's identity on a host (advisory, ecosystem, package), whatever its detail. */
  readonly key: string;
  /** A digest of everything stored about it: hosts in the same situation share one detail. */
  readonly detail: string;
}

/**
 * Stored findings move open → fixed when the host changed (the package was upgraded or
 * removed), open → retracted when the advisory changed while the host did not (the record was
 * withdrawn, or its ranges no longer cover the version still installed), and back to open from
 * either if the finding is assessed again. Only `fixed` is a remediation: a retracted finding
 * has no fixed at, so time-to-patch and SLA figures never count a false positive as a fix.
 */
export type FindingState = 'open' | 'fixed' | 'retracted';

/** A stored finding with its lifecycle. */
export interface StoredFinding extends FindingReport {
  readonly ecosystem: string;
  readonly published: Date | null;
  readonly id: string;
  readonly hostId: string;
  readonly state: FindingState;
  /** When it was (last) found open. Reopening starts a new cycle, so time-to-patch stays honest. */
  readonly firstSeen: Date;
  /** When the host's change closed it; null unless `fixed`. */
  readonly fixedAt: Date | null;
  /** When its state last changed (for a `retracted` finding: when it was retracted). */
  readonly updatedAt: Date;
}

/**
 * Assessed findings made once per report and ecosystem: the reporter shares one frozen report
 * among every host with the same package version and context, so a fleet builds and hashes
 * each distinct finding once, not once per host. Long-lived (the server's assessor holds one);
 * entries go with the reports they belong to.
 */
export class FindingKeys {
  private readonly memo = new WeakMap<FindingReport, AssessedFinding>();

  of(report: FindingReport, pkg: PackageFindings): AssessedFinding {
    const ecosystem = pkg.ecosystem;
    let finding = this.memo.get(report);
    if (finding?.ecosystem !== ecosystem) {
      const published = publishedOf(pkg.matches.find((m) => m.advisory.id === report.advisory)?.advisory.published);
      finding = Object.freeze({ ...report, ecosystem, published, key: findingKey({ ...report, ecosystem }), detail: detailKeyOf({ ...report, published }, ecosystem) });
      this.memo.set(report, finding);
    }
    return finding;
  }
}

/** Every finding of an assessment, enriched and prioritised, with its package's ecosystem and keys. */
export function assessedFindings(assessment: HostAssessment, reporter: HostReporter, keys: FindingKeys = new FindingKeys()): AssessedFinding[] {
  const out: AssessedFinding[] = [];
  const attributes = assessment.host.attributes;
  for (const pkg of assessment.packages) {
    for (const f of reporter.packageReports(pkg, attributes)) out.push(keys.of(f, pkg));
  }
  return out;
}

/**
 * A finding's identity: the first 128 bits of SHA-256 over advisory, ecosystem and package
 * joined by U+001F, as a UUID. Migration 0009 computes the same in SQL; keep them equal.
 */
export function findingKey(f: { readonly advisory: string; readonly ecosystem: string; readonly package: string }): string {
  return uuidDigest(`${f.advisory}\u001f${f.ecosystem}\u001f${f.package}`);
}

/** The content key of what is stored about a finding (every column of `findings_details`). */
export function detailKeyOf(f: FindingReport & { readonly published: Date | null }, ecosystem: string): string {
  return uuidDigest(
    JSON.stringify([f.advisory, ecosystem, f.package, f.installed, f.fixed, f.type, f.severity, f.cvss, f.kev, f.epss, f.priority, f.reasons, f.aliases, f.summary, f.published?.toISOString() ?? null]),
  );
}

/** OSV `published` as a date; a missing or unparsable one is unknown (null), never an error. */
function publishedOf(text: string | undefined): Date | null {
  if (text === undefined) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

function uuidDigest(text: string): string {
  // One replace builds a flat string; joined pieces would be a rope that every Set lookup and
  // every join of the upload's ~500 keys must walk first.
  return createHash('sha256').update(text, 'utf8').digest('hex').replace(UUID_OF_HEX, '$1-$2-$3-$4-$5');
}

const UUID_OF_HEX = /^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/;
