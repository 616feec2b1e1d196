import { sql, type Kysely, type Migration } from 'kysely';

/**
 * A change sequence over feed content: every stored or replaced advisory record and enrichment
 * document takes the next number, so a server process that holds advisories in memory can ask
 * for exactly what changed since it last looked (several processes share one PostgreSQL).
 */
export const feedChanges: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      'create sequence feeds_change_seq',
      `alter table feeds_advisories add column seq bigint not null default nextval('feeds_change_seq')`,
      `alter table feeds_documents add column seq bigint not null default nextval('feeds_change_seq')`,
      'create index feeds_advisories_seq on feeds_advisories (seq)',
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
