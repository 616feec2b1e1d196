import type { AdvisoryType, Severity } from '../advisories/index.js';

export type Priority = 'P1' | 'P2' | 'P3' | 'P4';

export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];

/** Everything the priority formula looks at; every field but `type` may be unknown. */
export interface RiskInput {
  readonly type: AdvisoryType;
  /** Highest CVSS base score known for the advisory or its CVEs. */
  readonly cvss?: { readonly score: number; readonly version: string } | undefined;
  /** Vendor's own severity (e.g. Red Hat "Important" → high). */
  readonly vendorSeverity?: { readonly severity: Severity; readonly label: string } | undefined;
  readonly kev?: { readonly dateAdded: string; readonly ransomware: boolean } | undefined;
  /** FIRST EPSS probability of exploitation in the next 30 days, 0–1. */
  readonly epss?: number | undefined;
  /** Host tier, 0 (most critical) to 3. */
  readonly tier?: 0 | 1 | 2 | 3 | undefined;
  readonly internetFacing?: boolean | undefined;
}

export interface RiskVerdict {
  readonly priority: Priority;
  readonly score: number;
  /** The formula's inputs in words, most important first. */
  readonly reasons: readonly string[];
}

const SEVERITY_POINTS: Readonly<Record<Severity, number>> = { critical: 5, high: 4, medium: 3, low: 1, none: 0 };
const SEVERITY_RANK: Readonly<Record<Severity, number>> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** CVSS qualitative rating of a base score (the same bands for v3 and v4; v2 has no critical). */
export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

/**
 * The priority formula (docs/risk.md): points for severity (critical 5, high 4, medium or
 * unknown 3, low 1), +3 in CISA KEV and +1 more with known ransomware use, +2 for EPSS ≥ 0.5
 * or +1 for EPSS ≥ 0.1, +1 for a tier-0 host, −1 for a tier-3 host, +1 for an internet-facing
 * host. P1 at 7 or more, P2 at 5–6, P3 at 3–4, P4 below. Anything in KEV is at least P2.
 * Bug-fix and enhancement advisories are P4: they fix no vulnerability.
 */
export function prioritize(input: RiskInput): RiskVerdict {
  if (input.type !== 'security') {
    return { priority: 'P4', score: 0, reasons: [`${input.type} advisory, not a security fix`] };
  }
  const reasons: string[] = [];
  let score = severityPoints(input, reasons);

  if (input.kev) {
    score += input.kev.ransomware ? 4 : 3;
    reasons.push(`in CISA KEV since ${input.kev.dateAdded}${input.kev.ransomware ? ', ransomware use known' : ''}`);
  }
  if (input.epss !== undefined) {
    if (input.epss >= 0.5) score += 2;
    else if (input.epss >= 0.1) score += 1;
    reasons.push(`EPSS ${formatEpss(input.epss)}`);
  }
  const context = hostContext(input);
  score += context.points;
  if (context.words) reasons.push(context.words);

  let priority: Priority = score >= 7 ? 'P1' : score >= 5 ? 'P2' : score >= 3 ? 'P3' : 'P4';
  if (input.kev && (priority === 'P3' || priority === 'P4')) priority = 'P2';
  return { priority, score, reasons };
}

function severityPoints(input: RiskInput, reasons: string[]): number {
  const fromCvss = input.cvss ? severityOfScore(input.cvss.score) : undefined;
  const fromVendor = input.vendorSeverity?.severity;
  if (fromCvss === undefined && fromVendor === undefined) {
    reasons.push('severity unknown, counted as medium');
    return SEVERITY_POINTS.medium;
  }
  // The higher of the two: a vendor rating above the CVSS score usually reflects product context.
  const useVendor = fromVendor !== undefined && (fromCvss === undefined || SEVERITY_RANK[fromVendor] > SEVERITY_RANK[fromCvss]);
  if (input.cvss) reasons.push(`CVSS ${input.cvss.version} ${input.cvss.score.toFixed(1)} (${fromCvss})`);
  if (input.vendorSeverity && (useVendor || !input.cvss)) {
    reasons.push(`vendor severity ${input.vendorSeverity.label} (${input.vendorSeverity.severity})`);
  }
  return SEVERITY_POINTS[(useVendor ? fromVendor : fromCvss) as Severity];
}

function hostContext(input: RiskInput): { points: number; words: string } {
  let points = 0;
  const words: string[] = [];
  if (input.tier !== undefined) {
    if (input.tier === 0) points += 1;
    if (input.tier === 3) points -= 1;
    words.push(`tier-${input.tier}`);
  }
  if (input.internetFacing) {
    points += 1;
    words.push('internet-facing');
  }
  return { points, words: words.length > 0 ? `${words.join(' ')} host` : '' };
}

function formatEpss(epss: number): string {
  return epss >= 0.01 ? epss.toFixed(2) : epss.toPrecision(2);
}

/** True when `p` is at or above `threshold` in urgency (P1 is the most urgent). */
export function atOrAbove(p: Priority, threshold: Priority): boolean {
  return PRIORITIES.indexOf(p) <= PRIORITIES.indexOf(threshold);
}
