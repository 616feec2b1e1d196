import type { Kysely } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import type { HostGroup, HostSelector } from './host-group.js';
import type { PolicyTables } from './tables.js';

/** Host groups as stored; validation happens before (parseHostGroup). */
export class PolicyStore {
  constructor(
    private readonly db: Kysely<PolicyTables>,
    private readonly clock: () => Date,
  ) {}

  /** Creates or replaces a group; returns the one it replaced, if any (for the audit trail). */
  async putGroup(group: HostGroup): Promise<HostGroup | undefined> {
    const before = await this.group(group.name);
    const now = this.clock();
    await this.db
      .insertInto('policy_groups')
      .values({ name: group.name, description: group.description, selector: JSON.stringify(group.selector), created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ description: group.description, selector: JSON.stringify(group.selector), updated_at: now }))
      .execute();
    return before;
  }

  async group(name: string): Promise<HostGroup | undefined> {
    const row = await this.db.selectFrom('policy_groups').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? { name: row.name, description: row.description, selector: row.selector as HostSelector } : undefined;
  }

  async requireGroup(name: string): Promise<HostGroup> {
    const g = await this.group(name);
    if (!g) throw new PatchwiseError('PW_NOT_FOUND', `no host group named ${name}`);
    return g;
  }

  async groups(): Promise<HostGroup[]> {
    const rows = await this.db.selectFrom('policy_groups').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, description: r.description, selector: r.selector as HostSelector }));
  }

  /** Deletes a group; returns it (for the audit trail). */
  async deleteGroup(name: string): Promise<HostGroup> {
    const g = await this.requireGroup(name);
    await this.db.deleteFrom('policy_groups').where('name', '=', name).execute();
    return g;
  }
}
