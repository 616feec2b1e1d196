import { PatchwiseError } from '../errors/index.js';
import { PRIORITIES, type Priority } from '../risk/index.js';
import { DEFAULT_EMERGENCY_CRITERIA, parseEmergencyCriteria, type EmergencyCriteria } from './emergency-lane.js';

/** A host tier (0 most critical) or `default` for hosts without one. */
export type SlaTier = '0' | '1' | '2' | '3' | 'default';

/** Where a finding's SLA clock starts: when it was first seen on the host, or when its advisory was published. */
export type SlaClock = 'first-seen' | 'published';

/**
 * Days to remediate an open finding, by priority and host tier, counted from the clock's start
 * (first seen by default). A tier without its own row uses `default`.
 */
export interface SlaPolicy {
  readonly days: Readonly<Record<Priority, Readonly<Partial<Record<SlaTier, number>> & { default: number }>>>;
  /** A finding is "due soon" in this last fraction of its window (0.2: the last fifth). */
  readonly warnFraction: number;
  /** `published` counts from the advisory's publication (first seen when the record gives none). */
  readonly clock: SlaClock;
  /** When an exception covering a finding expires, its window starts again at the expiry. */
  readonly restartOnExceptionExpiry: boolean;
  /** What puts a fix in the emergency lane. */
  readonly emergency: EmergencyCriteria;
}

/**
 * Common practice: CISA BOD 22-01 gives two weeks for known exploited vulnerabilities (P1 is
 * where KEV lands); PCI DSS 6.3.3 one month for critical fixes (P2 for high/critical); then a
 * quarter and half a year. Tier-0 hosts get half the time for the two urgent priorities.
 */
export const DEFAULT_SLA_POLICY: SlaPolicy = {
  days: {
    P1: { '0': 7, default: 14 },
    P2: { '0': 15, default: 30 },
    P3: { default: 90 },
    P4: { default: 180 },
  },
  warnFraction: 0.2,
  clock: 'first-seen',
  restartOnExceptionExpiry: false,
  emergency: DEFAULT_EMERGENCY_CRITERIA,
};

export type SlaState = 'ok' | 'due-soon' | 'breached';

export interface SlaVerdict {
  readonly dueAt: Date;
  readonly state: SlaState;
}

const DAY_MS = 86_400_000;

/** The window of a priority on a host of `tier`, in days. */
export function slaDays(policy: SlaPolicy, priority: Priority, tier: number | null): number {
  const row = policy.days[priority];
  return (tier === null ? undefined : row[String(tier) as SlaTier]) ?? row.default;
}

/** What the SLA reads of a finding. */
export interface SlaFinding {
  readonly priority: Priority;
  readonly firstSeen: Date;
  /** The advisory's publication date, when known (for `clock: published`). */
  readonly published?: Date | null | undefined;
  readonly fixedAt?: Date | null | undefined;
  /** When the last exception covering it expired, if one did (for `restartOnExceptionExpiry`). */
  readonly exceptionExpiredAt?: Date | null | undefined;
}

/**
 * When a finding's window starts: first seen, or the advisory's publication under
 * `clock: published` (first seen when the record gives none); with `restartOnExceptionExpiry`,
 * the expiry of an exception that covered it, when that is later.
 */
export function slaClockStart(policy: SlaPolicy, finding: SlaFinding): Date {
  let start = policy.clock === 'published' && finding.published ? finding.published : finding.firstSeen;
  const restart = finding.exceptionExpiredAt;
  if (policy.restartOnExceptionExpiry && restart && restart.getTime() > start.getTime()) start = restart;
  return start;
}

/**
 * Where an open finding stands against the policy at `now`. A fixed finding is judged at its
 * fix time: `breached` if it was fixed late, `ok` otherwise (for adherence figures).
 */
export function slaVerdict(policy: SlaPolicy, finding: SlaFinding, tier: number | null, now: Date): SlaVerdict {
  const windowMs = slaDays(policy, finding.priority, tier) * DAY_MS;
  const dueAt = new Date(slaClockStart(policy, finding).getTime() + windowMs);
  const at = (finding.fixedAt ?? now).getTime();
  if (at > dueAt.getTime()) return { dueAt, state: 'breached' };
  if (!finding.fixedAt && at > dueAt.getTime() - windowMs * policy.warnFraction) return { dueAt, state: 'due-soon' };
  return { dueAt, state: 'ok' };
}

/**
 * Validates a policy as written in a file (`days: { P1: { 0: 7, default: 14 }, … }`,
 * `warnFraction`, `clock`, `restartOnExceptionExpiry`, `emergency`); what is left out keeps the
 * defaults. Errors name the source and the field.
 */
export function parseSlaPolicy(value: unknown, source: string): SlaPolicy {
  const bad = (field: string, reason: string) => new PatchwiseError('PW_CONFIG_INVALID', `${field}: ${reason}`, { input: source });
  if (!isObject(value)) throw bad('sla', 'expected an object with days and warnFraction');
  const fields = ['days', 'warnFraction', 'clock', 'restartOnExceptionExpiry', 'emergency'];
  for (const key of Object.keys(value)) if (!fields.includes(key)) throw bad(key, `unknown field (expected ${fields.join(', ')})`);
  const days = { ...DEFAULT_SLA_POLICY.days } as Record<Priority, SlaPolicy['days'][Priority]>;
  if (value.days !== undefined) {
    if (!isObject(value.days)) throw bad('days', 'expected an object keyed by P1..P4');
    for (const [priority, row] of Object.entries(value.days)) {
      if (!(PRIORITIES as readonly string[]).includes(priority)) throw bad(`days.${priority}`, 'not a priority (P1..P4)');
      if (!isObject(row)) throw bad(`days.${priority}`, 'expected { default: N } and optional tiers 0..3');
      const parsed: Partial<Record<SlaTier, number>> = {};
      for (const [tier, n] of Object.entries(row)) {
        if (!['0', '1', '2', '3', 'default'].includes(tier)) throw bad(`days.${priority}.${tier}`, 'not a tier (0..3 or default)');
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 3650) throw bad(`days.${priority}.${tier}`, 'expected whole days from 1 to 3650');
        parsed[tier as SlaTier] = n;
      }
      if (parsed.default === undefined) throw bad(`days.${priority}.default`, 'required');
      days[priority as Priority] = parsed as SlaPolicy['days'][Priority];
    }
  }
  const warn = value.warnFraction ?? DEFAULT_SLA_POLICY.warnFraction;
  if (typeof warn !== 'number' || !(warn >= 0 && warn < 1)) throw bad('warnFraction', 'expected a number from 0 up to (not including) 1');
  const clock = value.clock ?? DEFAULT_SLA_POLICY.clock;
  if (clock !== 'first-seen' && clock !== 'published') throw bad('clock', 'expected first-seen or published');
  const restart = value.restartOnExceptionExpiry ?? DEFAULT_SLA_POLICY.restartOnExceptionExpiry;
  if (typeof restart !== 'boolean') throw bad('restartOnExceptionExpiry', 'expected true or false');
  const emergency = value.emergency === undefined ? DEFAULT_SLA_POLICY.emergency : parseEmergencyCriteria(value.emergency, source);
  return { days, warnFraction: warn, clock, restartOnExceptionExpiry: restart, emergency };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
