import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Each enrichment document remembers the source (configured feed or import) that stored it, as
 * advisory records do, so `feeds status` can say what a source holds now instead of counting a
 * catalog that came from elsewhere. Documents held before are given to the configured source of
 * their kind when exactly one exists (the one that can have brought it); others stay unattributed.
 * Numbered 0027: main took 0026 (person attributes) while this was written.
 */
export const documentSource: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table feeds_documents add column source text`.execute(db);
    await sql`
      update feeds_documents d set source = s.name
      from feeds_sources s
      where s.kind = split_part(d.kind, ':', 1)
        and s.last_success_at is not null
        and (select count(*) from feeds_sources o where o.kind = s.kind) = 1`.execute(db);
  },
};
