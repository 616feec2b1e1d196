import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What a successful agentless scan could not read (a fact such as the machine id or time zone,
 * reported as unknown; a package manager's file list) beside the registration, so `agentless
 * list` shows a scan that worked around a problem as well as one that failed.
 */
export const agentlessScanWarnings: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table hosts_agentless add column last_scan_warnings text[] not null default '{}'`.execute(db);
  },
};
