import { HostStore, PatchwiseError, PolicyStore, selects, type Grant, type HostGroup, type HostRecord } from '@patchwise/core';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { AppDeps } from './app-types.js';
import { personOf } from './caller-actor.js';
import { tablesOf, type Database } from './database.js';

/**
 * The hosts a caller's grant reaches: every host, or those in the grant's environments or in
 * its groups (selectors evaluated now, so a host that joins a group is in scope at once). A
 * scoped binding naming a group that no longer exists reaches no host through it.
 */
export class HostScope {
  private constructor(
    private readonly grant: Grant,
    private readonly groups: readonly HostGroup[],
    private readonly clock: () => Date,
  ) {}

  static async of(grant: Grant, db: Kysely<Database>, clock: () => Date): Promise<HostScope> {
    if (grant.kind !== 'scoped' || grant.groups.size === 0) return new HostScope(grant, [], clock);
    const groups = (await new PolicyStore(tablesOf(db), clock).groups()).filter((g) => grant.groups.has(g.name));
    return new HostScope(grant, groups, clock);
  }

  get unlimited(): boolean {
    return this.grant.kind === 'all';
  }

  allows(host: HostRecord): boolean {
    const g = this.grant;
    if (g.kind === 'all') return true;
    if (g.kind === 'none') return false;
    if (host.attributes.environment !== null && g.environments.has(host.attributes.environment)) return true;
    return this.groups.some((group) => selects(group.selector, host));
  }

  /** The ids of the hosts in scope, or undefined when the scope is the whole fleet. */
  async hostIds(db: Kysely<Database>): Promise<string[] | undefined> {
    if (this.unlimited) return undefined;
    return (await new HostStore(tablesOf(db), this.clock).list()).filter((h) => this.allows(h)).map((h) => h.id);
  }

  /** A host out of scope answers like an unknown one, so a scoped caller learns nothing of it. */
  requireHost(host: HostRecord): HostRecord {
    if (!this.allows(host)) throw new PatchwiseError('PW_NOT_FOUND', `no host ${host.id}`);
    return host;
  }

  /** Whether a change request (to an environment, maybe one group of it) lies within this scope. */
  allowsChange(change: { readonly environment: string; readonly group: string | null }): boolean {
    const g = this.grant;
    if (g.kind !== 'scoped') return g.kind === 'all';
    return g.environments.has(change.environment) || (change.group !== null && g.groups.has(change.group));
  }

  /** Whether a host- or group-wide target (an exception's scope) lies within this scope. */
  allowsTarget(target: { readonly host?: HostRecord | undefined; readonly group?: string | undefined }): boolean {
    if (this.unlimited) return true;
    if (target.host) return this.allows(target.host);
    return target.group !== undefined && this.grant.kind === 'scoped' && this.grant.groups.has(target.group);
  }
}

/** The scope of the calling person's grant for the route's permission. */
export function callerScope(request: FastifyRequest, deps: Pick<AppDeps, 'db' | 'clock'>): Promise<HostScope> {
  return HostScope.of(personOf(request).grant, deps.db, deps.clock);
}
