import type { AdvisoryType } from '../advisories/index.js';
import { PatchwiseError } from '../errors/index.js';

/**
 * What puts a fix in the emergency lane (expedited, still approved by two people; docs/sla.md).
 * Any one criterion is enough; `null` switches a threshold off. Only security fixes qualify.
 */
export interface EmergencyCriteria {
  /** A vulnerability in CISA KEV: exploited in the wild now. */
  readonly kev: boolean;
  /** CVSS base score at or above this (9.0: "critical"). */
  readonly cvssAtLeast: number | null;
  /** FIRST EPSS probability at or above this… */
  readonly epssAtLeast: number | null;
  /** …and only on internet-facing hosts (false: on any host). */
  readonly epssInternetFacingOnly: boolean;
}

/** KEV; CVSS ≥ 9.0; EPSS ≥ 0.5 on an internet-facing host (the top fraction of a percent of CVEs). */
export const DEFAULT_EMERGENCY_CRITERIA: EmergencyCriteria = { kev: true, cvssAtLeast: 9.0, epssAtLeast: 0.5, epssInternetFacingOnly: true };

export type Lane = 'emergency' | 'scheduled';

export interface LaneVerdict {
  readonly lane: Lane;
  /** The criteria met (emergency), or why none applies (scheduled). */
  readonly reasons: readonly string[];
}

/** Classifies a finding's fix. `internetFacing` is the host's attribute (null: not known, so not). */
export function findingLane(
  criteria: EmergencyCriteria,
  f: { readonly type: AdvisoryType; readonly kev: boolean; readonly cvss: number | null; readonly epss: number | null },
  host: { readonly internetFacing: boolean | null },
): LaneVerdict {
  if (f.type !== 'security') return { lane: 'scheduled', reasons: [`${f.type} advisory, not a security fix`] };
  const reasons: string[] = [];
  if (criteria.kev && f.kev) reasons.push('in CISA KEV');
  if (criteria.cvssAtLeast !== null && f.cvss !== null && f.cvss >= criteria.cvssAtLeast) reasons.push(`CVSS ${f.cvss.toFixed(1)} ≥ ${criteria.cvssAtLeast.toFixed(1)}`);
  if (criteria.epssAtLeast !== null && f.epss !== null && f.epss >= criteria.epssAtLeast) {
    if (!criteria.epssInternetFacingOnly) reasons.push(`EPSS ${f.epss.toFixed(2)} ≥ ${criteria.epssAtLeast}`);
    else if (host.internetFacing === true) reasons.push(`EPSS ${f.epss.toFixed(2)} ≥ ${criteria.epssAtLeast} on an internet-facing host`);
  }
  return reasons.length > 0 ? { lane: 'emergency', reasons } : { lane: 'scheduled', reasons: ['no emergency criterion met'] };
}

/** Validates the `emergency` section of the SLA file; missing fields keep the defaults. */
export function parseEmergencyCriteria(value: unknown, source: string): EmergencyCriteria {
  const bad = (field: string, reason: string) => new PatchwiseError('PW_CONFIG_INVALID', `emergency.${field}: ${reason}`, { input: source });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PatchwiseError('PW_CONFIG_INVALID', 'emergency: expected an object with kev, cvssAtLeast, epssAtLeast, epssInternetFacingOnly', { input: source });
  const v = value as Record<string, unknown>;
  const fields = ['kev', 'cvssAtLeast', 'epssAtLeast', 'epssInternetFacingOnly'];
  for (const k of Object.keys(v)) if (!fields.includes(k)) throw bad(k, `unknown field (expected ${fields.join(', ')})`);
  const flag = (k: 'kev' | 'epssInternetFacingOnly') => {
    const x = v[k] ?? DEFAULT_EMERGENCY_CRITERIA[k];
    if (typeof x !== 'boolean') throw bad(k, 'expected true or false');
    return x;
  };
  const threshold = (k: 'cvssAtLeast' | 'epssAtLeast', max: number) => {
    const x = v[k] === undefined ? DEFAULT_EMERGENCY_CRITERIA[k] : v[k];
    if (x === null) return null;
    if (typeof x !== 'number' || !(x > 0 && x <= max)) throw bad(k, `expected a number above 0 and at most ${max}, or null to switch it off`);
    return x;
  };
  return { kev: flag('kev'), cvssAtLeast: threshold('cvssAtLeast', 10), epssAtLeast: threshold('epssAtLeast', 1), epssInternetFacingOnly: flag('epssInternetFacingOnly') };
}
