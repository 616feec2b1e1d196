import { ADVISORY_TYPES, type AdvisoryType, type Severity } from '../advisories/index.js';
import { PatchwiseError } from '../errors/index.js';
import { PRIORITIES, type Priority } from '../risk/index.js';
import { schemeFor } from '../versions/index.js';

/**
 * Auto-approval: fixes of advisories of these types, at or above a severity and/or priority,
 * are approved `afterDays` days after the advisory's publication (first seen when the record
 * gives none). `afterDays: 0` approves at once.
 */
export interface ApprovalRule {
  readonly types: readonly AdvisoryType[];
  readonly minSeverity?: Exclude<Severity, 'none'> | undefined;
  readonly minPriority?: Priority | undefined;
  readonly afterDays: number;
}

/** A package pinned at a version: a fix beyond it is held back (an older or equal one is not). */
export interface PackageHold {
  /** The package name as findings show it (the source package on Debian and Ubuntu). */
  readonly package: string;
  readonly version: string;
  /** Limits the hold to an ecosystem (`Debian` every release, `Debian:12` one); absent, it holds the name everywhere. */
  readonly ecosystem?: string | undefined;
  readonly reason: string;
}

/**
 * Which updates are approved for the hosts of a group (docs/baselines.md). A host follows one
 * baseline: of those whose group selects it, the lowest `precedence`; else the default baseline
 * (the one without a group); else the built-in rule of the compliance report.
 */
export interface PatchBaseline {
  readonly name: string;
  readonly description: string;
  /** The host group it applies to; absent for the default baseline. */
  readonly group?: string | undefined;
  /** Lower wins when a host is in several baselines' groups; unique; absent for the default. */
  readonly precedence?: number | undefined;
  readonly rules: readonly ApprovalRule[];
  /** A fix for a vulnerability in CISA KEV is approved at once, whatever the rules say. */
  readonly approveKevAtOnce: boolean;
  /** Advisory ids or CVEs approved whatever the rules say. */
  readonly approve: readonly string[];
  /** Advisory ids or CVEs never approved (a known-bad update). */
  readonly reject: readonly string[];
  readonly holds: readonly PackageHold[];
}

/** The name the compliance report gives hosts judged by its own rule (no stored baseline applies). */
export const BUILT_IN_BASELINE = 'built-in';

/**
 * What hosts without a baseline are judged by, as a baseline: security fixes at or above
 * `failAt`, at once. It is exactly the compliance report's rule before baselines existed.
 */
export function builtInBaseline(failAt: Priority): PatchBaseline {
  return {
    name: BUILT_IN_BASELINE,
    description: `security fixes at ${failAt} or above, at once`,
    rules: [{ types: ['security'], minPriority: failAt, afterDays: 0 }],
    approveKevAtOnce: false,
    approve: [],
    reject: [],
    holds: [],
  };
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const FIELDS = ['name', 'description', 'group', 'precedence', 'rules', 'approveKevAtOnce', 'approve', 'reject', 'holds'];
const MAX_LIST = 10_000;

/**
 * Validates a baseline from an API body or a YAML/JSON file; every error names the field
 * (`rules[1].afterDays: …`). Defaults: no rules, KEV approved at once, empty lists.
 */
export function parsePatchBaseline(value: unknown, source: string): PatchBaseline {
  const bad = (field: string, reason: string) => new PatchwiseError('PW_INPUT_INVALID', `${field}: ${reason}`, { input: source });
  if (!isObject(value)) throw bad('baseline', 'expected an object with name, group, precedence, rules, approve, reject, holds');
  for (const k of Object.keys(value)) if (!FIELDS.includes(k)) throw bad(k, `unknown field (expected ${FIELDS.join(', ')})`);
  if (typeof value.name !== 'string' || !NAME.test(value.name)) throw bad('name', 'expected 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');
  if (value.name === BUILT_IN_BASELINE) throw bad('name', `"${BUILT_IN_BASELINE}" names the compliance report's own rule; choose another`);
  const description = value.description ?? '';
  if (typeof description !== 'string' || description.length > 500) throw bad('description', 'expected text of at most 500 characters');

  const group = value.group;
  if (group !== undefined && (typeof group !== 'string' || !NAME.test(group))) throw bad('group', 'expected the name of a host group');
  const precedence = value.precedence;
  if (group === undefined && precedence !== undefined) throw bad('precedence', 'only a baseline with a group has one (the default baseline applies when no other does)');
  if (group !== undefined && (typeof precedence !== 'number' || !Number.isInteger(precedence) || precedence < 0 || precedence > 1_000_000)) {
    throw bad('precedence', 'required with a group: a whole number from 0 to 1000000 (lower wins when a host is in several baselines\' groups)');
  }

  const rules = list(value.rules, 'rules', 100, bad).map((r, i) => parseRule(r, `rules[${i}]`, bad));
  const kev = value.approveKevAtOnce ?? true;
  if (typeof kev !== 'boolean') throw bad('approveKevAtOnce', 'expected true or false');
  const ids = (field: 'approve' | 'reject') =>
    list(value[field], field, MAX_LIST, bad).map((x, i) => {
      if (typeof x !== 'string' || x.trim() === '' || x.length > 200) throw bad(`${field}[${i}]`, 'expected an advisory id or CVE');
      return x.trim();
    });
  const approve = ids('approve');
  const reject = ids('reject');
  const both = approve.find((id) => reject.includes(id));
  if (both) throw bad('approve, reject', `${both} is in both lists`);
  const holds = list(value.holds, 'holds', MAX_LIST, bad).map((h, i) => parseHold(h, `holds[${i}]`, bad));
  return {
    name: value.name,
    description,
    ...(group !== undefined ? { group, precedence: precedence as number } : {}),
    rules,
    approveKevAtOnce: kev,
    approve,
    reject,
    holds,
  };
}

type Bad = (field: string, reason: string) => PatchwiseError;

function parseRule(value: unknown, at: string, bad: Bad): ApprovalRule {
  if (!isObject(value)) throw bad(at, 'expected { types, minSeverity?, minPriority?, afterDays }');
  for (const k of Object.keys(value)) if (!['types', 'minSeverity', 'minPriority', 'afterDays'].includes(k)) throw bad(`${at}.${k}`, 'unknown field (expected types, minSeverity, minPriority, afterDays)');
  const types = value.types;
  if (!Array.isArray(types) || types.length === 0 || !types.every((t) => (ADVISORY_TYPES as readonly unknown[]).includes(t))) throw bad(`${at}.types`, `expected a non-empty list of ${ADVISORY_TYPES.join(', ')}`);
  const minSeverity = value.minSeverity;
  if (minSeverity !== undefined && !(SEVERITIES as readonly unknown[]).includes(minSeverity)) throw bad(`${at}.minSeverity`, `expected one of ${SEVERITIES.join(', ')}`);
  const minPriority = value.minPriority;
  if (minPriority !== undefined && !(PRIORITIES as readonly unknown[]).includes(minPriority)) throw bad(`${at}.minPriority`, 'expected one of P1, P2, P3, P4');
  const days = value.afterDays;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > 3650) throw bad(`${at}.afterDays`, 'expected whole days from 0 (at once) to 3650');
  return {
    types: [...new Set(types as AdvisoryType[])],
    ...(minSeverity !== undefined ? { minSeverity: minSeverity as ApprovalRule['minSeverity'] } : {}),
    ...(minPriority !== undefined ? { minPriority: minPriority as Priority } : {}),
    afterDays: days,
  };
}

function parseHold(value: unknown, at: string, bad: Bad): PackageHold {
  if (!isObject(value)) throw bad(at, 'expected { package, version, ecosystem?, reason }');
  for (const k of Object.keys(value)) if (!['package', 'version', 'ecosystem', 'reason'].includes(k)) throw bad(`${at}.${k}`, 'unknown field (expected package, version, ecosystem, reason)');
  const text = (k: string, max: number, required: boolean): string | undefined => {
    const x = value[k];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string' || x.trim() === '' || x.length > max) throw bad(`${at}.${k}`, `expected text of 1 to ${max} characters`);
    return x.trim();
  };
  const hold = { package: text('package', 200, true)!, version: text('version', 200, true)!, ecosystem: text('ecosystem', 100, false), reason: text('reason', 2000, true)! };
  if (hold.ecosystem !== undefined) {
    // With an ecosystem the version can be checked now; without one it is compared in each finding's.
    try {
      schemeFor(hold.ecosystem).parse(hold.version);
    } catch (err) {
      if (err instanceof PatchwiseError) throw bad(`${at}.${err.code === 'PW_ECOSYSTEM_UNKNOWN' ? 'ecosystem' : 'version'}`, err.message);
      throw err;
    }
  }
  return hold.ecosystem === undefined ? { package: hold.package, version: hold.version, reason: hold.reason } : hold;
}

function list(v: unknown, field: string, max: number, bad: Bad): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > max) throw bad(field, `expected a list of at most ${max}`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
