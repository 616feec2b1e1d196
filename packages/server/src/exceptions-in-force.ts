import { HostStore, PolicyStore, exceptionActive, exceptionCovers, selects, type FindingCover, type FindingException } from '@patchwise/core';
import type { Kysely } from 'kysely';
import { tablesOf, type Database } from './database.js';

/** An approved exception with the hosts of its scope resolved now. */
export interface ExceptionInForce {
  readonly exception: FindingException;
  readonly hostIds: ReadonlySet<string>;
}

/**
 * The exceptions in force at `now`, each with its hosts (a group's members as they are now).
 * Expired ones are simply not here: their findings count again without anyone acting.
 */
export async function exceptionsInForce(db: Kysely<Database>, now: Date): Promise<ExceptionInForce[]> {
  return resolved(db, now, (e) => exceptionActive(e, now));
}

/**
 * Approved exceptions whose date has passed (not revoked ones: a revocation is a decision that
 * the deferral was wrong, not the end of a granted one), for restarting the SLA clock.
 * A group's members are resolved as they are now.
 */
export async function exceptionsExpired(db: Kysely<Database>, now: Date): Promise<ExceptionInForce[]> {
  return resolved(db, now, (e) => e.expiresAt.getTime() <= now.getTime());
}

async function resolved(db: Kysely<Database>, now: Date, keep: (e: FindingException) => boolean): Promise<ExceptionInForce[]> {
  const policy = new PolicyStore(tablesOf(db), () => now);
  const chosen = (await policy.exceptions({ state: 'approved' })).filter(keep);
  if (chosen.length === 0) return [];
  const hosts = chosen.some((e) => e.group !== undefined) ? await new HostStore(tablesOf(db), () => now).list({ status: 'active' }) : [];
  const groups = new Map((await policy.groups()).map((g) => [g.name, g]));
  return chosen.map((exception) => {
    const group = exception.group !== undefined ? groups.get(exception.group) : undefined;
    const hostIds = exception.host !== undefined ? [exception.host] : group ? hosts.filter((h) => selects(group.selector, h)).map((h) => h.id) : [];
    return { exception, hostIds: new Set(hostIds) };
  });
}

/** The same, as conditions for FindingsStore (findings to leave out of counts and overdue lists). */
export function coversOf(inForce: readonly ExceptionInForce[]): FindingCover[] {
  return inForce.map(({ exception, hostIds }) => ({ hostIds: [...hostIds], advisory: exception.advisory, package: exception.package }));
}

/** The exception in force that covers a finding, if one does. */
export function exceptionFor(inForce: readonly ExceptionInForce[], finding: Parameters<typeof exceptionCovers>[2]): FindingException | undefined {
  return inForce.find(({ exception, hostIds }) => exceptionCovers(exception, hostIds, finding))?.exception;
}

/** When the last expired exception covering a finding ran out, if one did. */
export function lastExpiryFor(expired: readonly ExceptionInForce[], finding: Parameters<typeof exceptionCovers>[2]): Date | null {
  let last: Date | null = null;
  for (const { exception, hostIds } of expired) {
    if (exceptionCovers(exception, hostIds, finding) && (!last || exception.expiresAt.getTime() > last.getTime())) last = exception.expiresAt;
  }
  return last;
}
