/**
 * Criticality as CMDBs write it → Patchwise tier (0 = most critical, as docs/risk.md and
 * docs/sla.md use it). ServiceNow's `busines_criticality` choices are "1 - most critical" …
 * "4 - not critical" (the value and the label are the same string); spreadsheets use a
 * four-step word scale. A bare number is refused in a criticality column: ServiceNow's 1 is our
 * tier 0, a spreadsheet's 1 may be tier 1, and a wrong guess shifts every host's SLA.
 */
import { FieldProblem, parseTier } from './asset-fields.js';

type Tier = 0 | 1 | 2 | 3;

/** Keys as `criticalityKey` spells them: lower case, other characters as single spaces. */
const CRITICALITY: Readonly<Record<string, Tier>> = {
  '1 most critical': 0,
  'most critical': 0,
  critical: 0,
  'mission critical': 0,
  'very high': 0,
  '2 somewhat critical': 1,
  'somewhat critical': 1,
  high: 1,
  '3 less critical': 2,
  'less critical': 2,
  medium: 2,
  moderate: 2,
  '4 not critical': 3,
  'not critical': 3,
  low: 3,
};

function criticalityKey(value: string): string {
  return value.trim().toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/** The documented table, for docs and tests: words and ServiceNow choices with their tiers. */
export const CRITICALITY_TABLE: Readonly<Record<string, Tier>> = CRITICALITY;

/**
 * A criticality column's value: the table above, or an explicit tier (`tier 1`, `T1`).
 * `column` is the header as written, so the error names what the file calls it.
 */
export function parseCriticality(value: string, column: string): Tier {
  const hit = CRITICALITY[criticalityKey(value)];
  if (hit !== undefined) return hit;
  if (/^\s*(?:tier\s*|t)[0-3]\s*$/i.test(value)) return parseTier(value, column);
  const why = /^\s*\d+\s*$/.test(value)
    ? 'a bare number is ambiguous here (ServiceNow 1 = most critical = tier 0); write "1 - most critical" or "tier 1"'
    : 'expected 1 - most critical … 4 - not critical, critical/high/medium/low, or tier 0–3';
  throw new FieldProblem(column, `"${value}" is not a criticality: ${why}`);
}

/** A tier column's value: 0–3 in the forms parseTier reads, or a criticality word. */
export function parseTierColumn(value: string | number, column: string): Tier {
  if (typeof value === 'string') {
    const hit = CRITICALITY[criticalityKey(value)];
    if (hit !== undefined) return hit;
  }
  return parseTier(value, column);
}
