import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Hosts may be `retired`: taken out of the fleet (decommissioned, a clone's stale twin, a
 * simulated host) but kept, with their findings and audit trail, for history. When and why are
 * kept on the row so `hosts show` can say so without reading the audit trail. Only the status
 * check widens and two nullable columns are added: nothing is rewritten.
 */
export const retiredHosts: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // The name PostgreSQL gave the inline check of migration 0001's create table.
    await sql`alter table hosts_hosts drop constraint hosts_hosts_status_check`.execute(db);
    await sql`alter table hosts_hosts add constraint hosts_hosts_status_check check (status in ('active', 'quarantined', 'retired'))`.execute(db);
    await sql`alter table hosts_hosts add column retired_at timestamptz, add column retired_reason text`.execute(db);
  },
};
