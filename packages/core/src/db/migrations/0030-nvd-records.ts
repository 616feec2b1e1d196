import { createHash } from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';
import { nvdModifiedAt, parseNvd, type NvdRecord } from '../../enrichment/index.js';

/**
 * NVD held per CVE instead of per page. Each NVD page imported or synced was kept whole beside
 * the others, forever, and every enrichment reload parsed all of them again: a source synced on a
 * schedule grew the database and the reload time with each new page. Now each CVE has one row,
 * the copy NVD modified last, as Patchwise keeps it (`NvdRecord`), and a page replaces only what
 * it covers; a reload reads only the CVEs changed since the process last looked.
 *
 * The pages held are read here, as the server read them (a later page wins a tie, as a later
 * import does), and removed: their CVEs are the rows. Each row keeps its page's source. The
 * digest is the one `readFeedBatch` gives (SHA-256 of the record's JSON), so the same page
 * imported again is unchanged.
 */
export const nvdRecords: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table feeds_nvd (
        cve_id text primary key,
        last_modified text not null,
        digest text not null,
        record json not null,
        source text not null,
        imported_at timestamptz not null,
        seq bigint not null default nextval('feeds_change_seq')
      )`.execute(db);
    await sql`create index feeds_nvd_seq on feeds_nvd (seq)`.execute(db);
    // The pages one at a time: a source synced on a schedule held one page per sync, each up to
    // tens of MB, and read all at once they could outgrow the process before the server starts.
    const kinds = await sql<{ kind: string }>`select kind from feeds_documents where kind like 'nvd:%' order by seq`.execute(db);
    const held = new Map<string, { record: NvdRecord; source: string; at: Date }>();
    for (const { kind } of kinds.rows) {
      const page = (
        await sql<{ kind: string; content: string; source: string | null; imported_at: Date }>`
          select kind, content, source, imported_at from feeds_documents where kind = ${kind}`.execute(db)
      ).rows[0];
      if (page === undefined) continue;
      // A page that no longer parses (a stricter parser than the one that stored it) could not be
      // loaded by any server either (the reload threw), so it held nothing usable; it goes with the rest.
      let records: Map<string, NvdRecord>;
      try {
        records = parseNvd(page.content, `stored NVD page ${page.kind}`);
      } catch {
        continue;
      }
      for (const record of records.values()) {
        const current = held.get(record.id);
        if (current === undefined || nvdModifiedAt(current.record) <= nvdModifiedAt(record)) {
          held.set(record.id, { record, source: page.source ?? 'import', at: page.imported_at });
        }
      }
    }
    const rows = [...held.values()];
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000).map(({ record, source, at }) => {
        const json = JSON.stringify(record);
        return { cve_id: record.id, last_modified: record.lastModified, digest: createHash('sha256').update(json).digest('hex'), record: json, source, imported_at: at };
      });
      await (db as Kysely<{ feeds_nvd: Record<string, unknown> }>).insertInto('feeds_nvd').values(chunk).execute();
    }
    await sql`delete from feeds_documents where kind like 'nvd:%'`.execute(db);
  },
};
