import { PatchwiseError } from '../errors/index.js';

/** Why a fix is deferred: the categories auditors expect to see on an exception register. */
export const EXCEPTION_CATEGORIES = ['technical-blocker', 'no-vendor-support', 'pending-test-capacity', 'compensating-control', 'risk-accepted'] as const;
export type ExceptionCategory = (typeof EXCEPTION_CATEGORIES)[number];

/** requested → approved or rejected; an approved one may be revoked; expiry is read from the date. */
export type ExceptionState = 'requested' | 'approved' | 'rejected' | 'revoked';

/** What an exception covers: one host or a group, and one advisory (id or CVE) or package. */
export interface ExceptionScope {
  readonly host?: string | undefined;
  readonly group?: string | undefined;
  readonly advisory?: string | undefined;
  readonly package?: string | undefined;
}

export interface ExceptionRequest extends ExceptionScope {
  readonly category: ExceptionCategory;
  readonly reason: string;
  /** Who answers for it (a person or team, free text). */
  readonly owner: string;
  readonly expiresAt: Date;
}

export interface FindingException extends ExceptionRequest {
  readonly id: string;
  readonly state: ExceptionState;
  readonly requestedBy: { readonly id: string; readonly name: string | null };
  readonly decidedBy: { readonly id: string; readonly name: string | null } | null;
  readonly decidedAt: Date | null;
  /** Who ended an approved exception early; the approver stays in `decidedBy`. */
  readonly revokedBy: { readonly id: string; readonly name: string | null } | null;
  readonly revokedAt: Date | null;
  readonly comment: string | null;
  readonly createdAt: Date;
}

/** Longest deferral one decision may grant; renewing is a new, visible decision. */
export const MAX_EXCEPTION_DAYS = 366;

/** An exception as the register shows it: its decision, or `expired` once its date has passed. */
export type ExceptionStatus = ExceptionState | 'expired';

export const EXCEPTION_STATUSES: readonly ExceptionStatus[] = ['requested', 'approved', 'expired', 'revoked', 'rejected'];

/**
 * Where an exception stands at `now`. An approved or still-requested one whose date has passed
 * is `expired` (a request can no longer be approved then); rejected and revoked stay as decided.
 */
export function exceptionStatus(e: Pick<FindingException, 'state' | 'expiresAt'>, now: Date): ExceptionStatus {
  if ((e.state === 'approved' || e.state === 'requested') && e.expiresAt.getTime() <= now.getTime()) return 'expired';
  return e.state;
}

/** In force at `now`: approved and not yet expired. Expired ones need no job: they simply stop counting. */
export function exceptionActive(e: Pick<FindingException, 'state' | 'expiresAt'>, now: Date): boolean {
  return e.state === 'approved' && e.expiresAt.getTime() > now.getTime();
}

/**
 * Whether an exception covers a finding. `hostIds` are the hosts of its scope (the host, or the
 * group's members now); the advisory may be named by id or by any alias (a CVE).
 */
export function exceptionCovers(
  e: ExceptionScope,
  hostIds: ReadonlySet<string>,
  finding: { readonly hostId: string; readonly advisory: string; readonly aliases: readonly string[]; readonly package: string },
): boolean {
  if (!hostIds.has(finding.hostId)) return false;
  if (e.advisory !== undefined && e.advisory !== finding.advisory && !finding.aliases.includes(e.advisory)) return false;
  return e.package === undefined || e.package === finding.package;
}

/** Validates a request from the API; `now` bounds the expiry. Errors name the field. */
export function parseExceptionRequest(value: unknown, now: Date, source: string): ExceptionRequest {
  const bad = (field: string, reason: string) => new PatchwiseError('PW_INPUT_INVALID', `${field}: ${reason}`, { input: source });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('exception', 'expected an object');
  const v = value as Record<string, unknown>;
  const allowed = ['host', 'group', 'advisory', 'package', 'category', 'reason', 'owner', 'expiresAt'];
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw bad(k, `unknown field (expected ${allowed.join(', ')})`);
  const text = (k: string, max: number, required: boolean): string | undefined => {
    const x = v[k];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string' || x.trim() === '' || x.length > max) throw bad(k, `expected text of 1 to ${max} characters`);
    return x.trim();
  };
  const scope = { host: text('host', 253, false), group: text('group', 64, false), advisory: text('advisory', 200, false), package: text('package', 200, false) };
  if ((scope.host === undefined) === (scope.group === undefined)) throw bad('host, group', 'name exactly one: the host or the group the exception is for');
  if (scope.advisory === undefined && scope.package === undefined) throw bad('advisory, package', 'name the advisory (or CVE), the package, or both: an exception for everything is not one');
  const category = v.category;
  if (typeof category !== 'string' || !(EXCEPTION_CATEGORIES as readonly string[]).includes(category)) throw bad('category', `expected one of ${EXCEPTION_CATEGORIES.join(', ')}`);
  const expires = typeof v.expiresAt === 'string' ? new Date(v.expiresAt) : undefined;
  if (!expires || Number.isNaN(expires.getTime())) throw bad('expiresAt', 'expected a date and time (ISO 8601)');
  if (expires.getTime() <= now.getTime()) throw bad('expiresAt', 'is in the past');
  if (expires.getTime() > now.getTime() + MAX_EXCEPTION_DAYS * 86_400_000) throw bad('expiresAt', `is more than ${MAX_EXCEPTION_DAYS} days away; decide again when it runs out`);
  return { ...scope, category: category as ExceptionCategory, reason: text('reason', 2000, true)!, owner: text('owner', 200, true)!, expiresAt: expires };
}
