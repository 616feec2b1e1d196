import type { AdvisoryType, Severity, VendorSeverity } from './types.js';

/**
 * Advisory id prefixes that say what kind of update an advisory is. Red Hat and its rebuilds use
 * xxSA (security), xxBA (bug fix), xxEA (enhancement); SUSE uses -SU, -RU (recommended), -FU
 * (feature), -OU (optional). Everything else OSV carries (CVE, GHSA, PYSEC, DSA, DLA, USN, …)
 * is security.
 */
const TYPE_BY_PREFIX: ReadonlyArray<readonly [RegExp, AdvisoryType]> = [
  [/^(ALBA|RLBA|RHBA|ELBA|OLBA|CLBA)-/i, 'bugfix'],
  [/^(ALEA|RLEA|RHEA|ELEA|OLEA|CLEA)-/i, 'enhancement'],
  [/^(SUSE|openSUSE)-(RU|OU)-/i, 'bugfix'],
  [/^(SUSE|openSUSE)-FU-/i, 'enhancement'],
];

export function advisoryTypeOf(id: string): AdvisoryType {
  for (const [pattern, type] of TYPE_BY_PREFIX) if (pattern.test(id)) return type;
  return 'security';
}

/** Vendor words for severity, lower-cased, on CVSS's qualitative scale. */
const SEVERITY_WORDS: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  important: 'high',
  high: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
  unimportant: 'low',
  none: 'none',
};

export function severityFromWord(word: string): VendorSeverity | undefined {
  const severity = SEVERITY_WORDS[word.trim().toLowerCase()];
  return severity ? { severity, label: word.trim() } : undefined;
}

/**
 * Red Hat, AlmaLinux and Rocky put the vendor severity in front of the summary
 * ("Important: gupnp security update").
 */
export function severityFromSummary(summary: string): VendorSeverity | undefined {
  const colon = summary.indexOf(':');
  if (colon <= 0 || colon > 12) return undefined;
  return severityFromWord(summary.slice(0, colon));
}
