import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The attributes a person set on a host (API, CLI), which the host's agent configuration no longer
 * overrides: an agent could otherwise lower its own tier or exposure, and with them the priority
 * and deadlines of its findings. Existing hosts start with none held (what agents set stays theirs
 * until a person sets it).
 */
export const personAttributes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table hosts_hosts add column person_attributes text[] not null default '{}'`.execute(db);
  },
};
