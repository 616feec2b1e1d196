import { PRIORITIES, atOrAbove, type Priority } from '../risk/index.js';

/** What judging one host needs: its support status and its open security findings by priority. */
export interface HostComplianceInput {
  /** Whether the host ever sent an inventory; without one nothing can be said. */
  readonly assessed: boolean;
  /** Release support phase (`prerelease`, `supported`, `maintenance`, `extended`, `eol`, `unknown`) and why. */
  readonly release: { readonly status: string; readonly reason: string };
  /** Packages whose security support ended (`ended`); `ending` and `limited` are warnings, not failures. */
  readonly packages: readonly { readonly sourceName: string; readonly status: string }[];
  /** Open findings of security advisories, by priority (what the built-in rule reads). */
  readonly openSecurity: Readonly<Record<Priority, number>>;
  /**
   * The patch baseline the host follows, if one applies, and its open findings whose fix that
   * baseline approved, by priority. It replaces the built-in rule: only approved fixes are
   * required (pending, held, rejected and unapproved ones are not), whatever their priority.
   */
  readonly baseline?: { readonly name: string; readonly approved: Readonly<Record<Priority, number>> } | undefined;
  /**
   * Why the host's distribution packages could not be assessed, when they could not: its
   * distribution is unknown, or no advisory held covers its ecosystem. No finding then means
   * nothing was looked at, not that nothing is missing.
   */
  readonly unassessed?: string | undefined;
}

export interface ComplianceRule {
  /** Open security findings at this priority or more urgent make a host non-compliant. */
  readonly failAt: Priority;
}

export type ComplianceStatus = 'compliant' | 'non-compliant' | 'unknown';

export interface HostCompliance {
  readonly status: ComplianceStatus;
  /** Why not compliant (or unknown), in words; empty when compliant. */
  readonly reasons: readonly string[];
}

/** The built-in rule for hosts no patch baseline applies to: P1 and P2 security findings fail. */
export const DEFAULT_COMPLIANCE_RULE: ComplianceRule = { failAt: 'P2' };

/**
 * Judges a host: non-compliant when its release is past end of life, when a package lost
 * security support, or when fixes are missing: those its baseline approved, or without a
 * baseline, open security findings at or above `rule.failAt`. Unknown when it never sent an
 * inventory, or when nothing else fails it but its distribution packages could not be assessed
 * (`unassessed`): a blind spot is not counted as clean.
 */
export function hostCompliance(host: HostComplianceInput, rule: ComplianceRule = DEFAULT_COMPLIANCE_RULE): HostCompliance {
  if (!host.assessed) return { status: 'unknown', reasons: ['no inventory received yet'] };
  const reasons: string[] = [];
  if (host.release.status === 'eol') reasons.push(host.release.reason);
  const ended = host.packages.filter((p) => p.status === 'ended').map((p) => p.sourceName);
  if (ended.length > 0) reasons.push(`security support ended for ${[...new Set(ended)].sort().join(', ')}`);
  if (host.baseline) {
    const approved = host.baseline.approved;
    const missing = PRIORITIES.filter((p) => approved[p] > 0);
    if (missing.length > 0) reasons.push(`fixes approved by baseline ${host.baseline.name} not applied: ${missing.map((p) => `${p} ${approved[p]}`).join(', ')}`);
  } else {
    const failing = PRIORITIES.filter((p) => atOrAbove(p, rule.failAt) && host.openSecurity[p] > 0);
    if (failing.length > 0) reasons.push(`open security findings: ${failing.map((p) => `${p} ${host.openSecurity[p]}`).join(', ')}`);
  }
  if (reasons.length > 0) return { status: 'non-compliant', reasons: host.unassessed ? [...reasons, host.unassessed] : reasons };
  return host.unassessed ? { status: 'unknown', reasons: [host.unassessed] } : { status: 'compliant', reasons };
}

export interface ComplianceSummary {
  readonly hosts: number;
  readonly compliant: number;
  readonly nonCompliant: number;
  readonly unknown: number;
  /** Compliant hosts over all hosts (unknown ones count against it, as auditors count them); null for no hosts. */
  readonly rate: number | null;
}

export function complianceSummary(judged: readonly HostCompliance[]): ComplianceSummary {
  const count = (s: ComplianceStatus) => judged.filter((j) => j.status === s).length;
  const compliant = count('compliant');
  return { hosts: judged.length, compliant, nonCompliant: count('non-compliant'), unknown: count('unknown'), rate: judged.length ? compliant / judged.length : null };
}
