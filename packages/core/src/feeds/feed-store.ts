import { sql, type Kysely } from 'kysely';
import { nvdModifiedAt, type NvdRecord } from '../enrichment/index.js';
import type { EnrichmentDocument, NvdRecordInput, OsvRecordInput } from './feed-batch.js';
import { compareEditions, keptOutMessage, storedEdition, type DocumentEdition, type DocumentKeptOut } from './document-edition.js';
import type { FeedsTables } from './tables.js';

/** What putDocument did with an enrichment document. */
export type DocumentOutcome =
  | { readonly outcome: 'stored' }
  /** The same content was held already. */
  | { readonly outcome: 'unchanged' }
  /** Older than the held edition, or the same edition with other content: the held one stays. */
  | { readonly outcome: 'kept-out'; readonly keptOut: DocumentKeptOut };

/** How a batch of records changed what is held. */
export interface RecordChanges {
  readonly inserted: readonly string[];
  readonly updated: readonly string[];
  readonly unchanged: number;
  /** Ids whose incoming copy was older (by `modified`) than the one held, which was kept. */
  readonly older: readonly string[];
}

/** How a batch of NVD records changed what is held (one row per CVE). */
export interface NvdChanges {
  /** CVEs whose held copy is now this batch's: new ones, or a copy modified later (or as late, with other content). */
  readonly stored: number;
  readonly unchanged: number;
  /** CVEs whose held copy NVD modified later than the incoming one: the held copy stays. */
  readonly older: number;
}

/** What was removed from what is held, by kind (see FeedStore.forget). */
export interface FeedRemovals {
  readonly advisories: readonly string[];
  readonly nvd: readonly string[];
  readonly documents: readonly string[];
}

/**
 * Where a line of `feeds status` comes from: a source of the server's `--feeds` file (synced on
 * its interval); a source an earlier file named and the present one does not (no longer synced,
 * its records still held and matched); or files given to `feeds import`.
 */
export type FeedOrigin = 'configured' | 'no-longer-configured' | 'import';

/** One line of `feeds status`: a configured source or an imported kind. */
export interface FeedStatus {
  readonly name: string;
  readonly kind: string;
  readonly origin: FeedOrigin;
  readonly url: string | null;
  readonly records: number;
  readonly lastSuccessAt: Date | null;
  readonly lastAttemptAt: Date | null;
  readonly lastError: string | null;
}

export interface FeedSource {
  readonly name: string;
  readonly kind: 'osv' | 'kev' | 'epss' | 'nvd';
  readonly url: string;
  /** Where the source publishes the SHA-256 of the file, when it does. */
  readonly sha256Url?: string | null | undefined;
  readonly intervalSeconds: number;
  /**
   * An `nvd` source of the NVD CVE API: the environment variable holding its API key. Only the
   * variable's name is configured, and it is never stored: the key stays out of the sources file,
   * the database, logs and `feeds status`.
   */
  readonly apiKeyEnv?: string | null | undefined;
}

export interface SyncOutcome {
  readonly ok: boolean;
  readonly etag?: string | null | undefined;
  readonly lastModified?: string | null | undefined;
  readonly error?: string | undefined;
  /** An NVD API source's complete sync: when it started (the next one asks for what changed since). */
  readonly watermark?: Date | undefined;
}

/** What changed in feed content after a change mark (see FeedStore.changesSince). */
export interface FeedChanges {
  /** Advisory records stored or replaced since the mark, as their JSON values. */
  readonly records: readonly { readonly id: string; readonly record: unknown }[];
  /** Enrichment documents replaced since the mark (`kev`, `epss`). */
  readonly documents: readonly string[];
  /** NVD records stored or replaced since the mark. */
  readonly nvd: readonly NvdRecord[];
  /**
   * What `feeds forget` removed since the mark: advisory ids, CVE ids of NVD records, document
   * kinds. Apply these before the records: an id forgotten and then imported again comes back as
   * a record numbered after its removal.
   */
  readonly removed: FeedRemovals;
  /** The mark to ask from next time. */
  readonly mark: string;
}

const CHUNK = 1000;
/**
 * The `feeds status` line of the NVD records imports hold, whatever the pages' `--source`; also a
 * name `feeds forget` takes for them (KEV and EPSS imports are named by their kind the same way).
 */
const IMPORTED_NVD = 'nvd';
/** pg_advisory_xact_lock key that serialises feed writers ('pwfe'), so change numbers commit in order. */
const FEED_WRITE_LOCK = 0x70776665;
const NEXT_CHANGE = sql<string>`nextval('feeds_change_seq')`;

/** Advisory records and enrichment documents as imported, and the state of each configured source. */
export class FeedStore {
  constructor(
    private readonly db: Kysely<FeedsTables>,
    private readonly clock: () => Date,
  ) {}

  /**
   * Stores records whose content changed; an identical record is left alone (and reported unchanged).
   * A copy older than the one held, by OSV's `modified`, is left out and reported as older: an old
   * snapshot imported again must not undo a newer revision (a withdrawal would reopen findings).
   * At the same `modified` with other content, the incoming copy replaces the held one: OSV says a
   * change moves `modified`, so this is the same revision written out again (another key order,
   * another exporter) or a publisher's correction, and the latest import is the operator's word.
   * A copy without a readable `modified`, or replacing one without, is compared by content only.
   * Within a batch, the newest copy of an id wins, the last one at equal `modified`.
   * Call it inside a transaction: it takes the feed write lock until that transaction ends.
   */
  async applyRecords(records: readonly OsvRecordInput[], source: string): Promise<RecordChanges> {
    await this.lockWrites();
    const latest = new Map<string, OsvRecordInput>();
    for (const r of records) {
      const seen = latest.get(r.id);
      if (seen === undefined || !isOlder(r.modified, seen.modified)) latest.set(r.id, r);
    }
    const ids = [...latest.keys()];
    const held = new Map<string, { digest: string; modified: Date | null }>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.db.selectFrom('feeds_advisories').select(['id', 'digest', 'modified']).where('id', 'in', ids.slice(i, i + CHUNK)).execute();
      for (const row of rows) held.set(row.id, { digest: row.digest, modified: row.modified });
    }
    const older: string[] = [];
    const changed: OsvRecordInput[] = [];
    for (const r of latest.values()) {
      const h = held.get(r.id);
      if (h?.digest === r.digest) continue;
      if (h && isOlder(r.modified, h.modified)) older.push(r.id);
      else changed.push(r);
    }
    const now = this.clock();
    for (let i = 0; i < changed.length; i += CHUNK) {
      await this.db
        .insertInto('feeds_advisories')
        .values(changed.slice(i, i + CHUNK).map((r) => ({ id: r.id, modified: r.modified, source, digest: r.digest, record: r.json, imported_at: now })))
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            modified: eb.ref('excluded.modified'),
            source: eb.ref('excluded.source'),
            digest: eb.ref('excluded.digest'),
            record: eb.ref('excluded.record'),
            imported_at: eb.ref('excluded.imported_at'),
            seq: NEXT_CHANGE,
          })),
        )
        .execute();
    }
    return {
      inserted: changed.filter((r) => !held.has(r.id)).map((r) => r.id),
      updated: changed.filter((r) => held.has(r.id)).map((r) => r.id),
      unchanged: latest.size - changed.length - older.length,
      older,
    };
  }

  /** Every stored record, as the JSON value it was imported as. */
  async records(): Promise<{ id: string; record: unknown }[]> {
    return this.db.selectFrom('feeds_advisories').select(['id', 'record']).orderBy('id').execute();
  }

  /**
   * Stores NVD records, one row per CVE: the copy NVD modified last is held, as the lookup always
   * chose. An incoming copy modified earlier than the held one is left out (counted `older`); at
   * the same time with other content it replaces the held one (the later import wins, as for OSV
   * records); the same content is unchanged. Within a batch the copy modified last wins, the last
   * one at a tie. Inside a transaction, as applyRecords.
   */
  async applyNvd(records: readonly NvdRecordInput[], source: string): Promise<NvdChanges> {
    await this.lockWrites();
    const latest = new Map<string, NvdRecordInput>();
    for (const r of records) {
      const seen = latest.get(r.record.id);
      if (seen === undefined || nvdModifiedAt(seen.record) <= nvdModifiedAt(r.record)) latest.set(r.record.id, r);
    }
    const ids = [...latest.keys()];
    const held = new Map<string, { digest: string; lastModified: string }>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.db.selectFrom('feeds_nvd').select(['cve_id', 'digest', 'last_modified']).where('cve_id', 'in', ids.slice(i, i + CHUNK)).execute();
      for (const row of rows) held.set(row.cve_id, { digest: row.digest, lastModified: row.last_modified });
    }
    let older = 0;
    let unchanged = 0;
    const changed: NvdRecordInput[] = [];
    for (const r of latest.values()) {
      const h = held.get(r.record.id);
      if (h?.digest === r.digest) unchanged++;
      else if (h && nvdModifiedAt({ lastModified: h.lastModified }) > nvdModifiedAt(r.record)) older++;
      else changed.push(r);
    }
    const now = this.clock();
    for (let i = 0; i < changed.length; i += CHUNK) {
      await this.db
        .insertInto('feeds_nvd')
        .values(changed.slice(i, i + CHUNK).map((r) => ({ cve_id: r.record.id, last_modified: r.record.lastModified, digest: r.digest, record: r.json, source, imported_at: now })))
        .onConflict((oc) =>
          oc.column('cve_id').doUpdateSet((eb) => ({
            last_modified: eb.ref('excluded.last_modified'),
            digest: eb.ref('excluded.digest'),
            record: eb.ref('excluded.record'),
            source: eb.ref('excluded.source'),
            imported_at: eb.ref('excluded.imported_at'),
            seq: NEXT_CHANGE,
          })),
        )
        .execute();
    }
    return { stored: changed.length, unchanged, older };
  }

  /** Every NVD record held, one per CVE. */
  async nvdRecords(): Promise<NvdRecord[]> {
    const rows = await this.db.selectFrom('feeds_nvd').select('record').orderBy('cve_id').execute();
    return rows.map((r) => r.record as NvdRecord);
  }

  /**
   * Stores an enrichment document in place of the held one of its kind, unless that would lose
   * data: a KEV catalog or EPSS file of an older edition (`dateReleased`, `score_date`) than the
   * held one is kept out, as an old OSV record is, and so is one of the same edition with other
   * content, which is an excerpt or an edited copy (a 5-entry sample must not replace the
   * 1,400-entry catalog it was cut from). A newer edition replaces, whoever brings it (an import
   * or a scheduled sync). NVD records are stored one per CVE (applyNvd), not as documents.
   * Inside a transaction, as applyRecords. `source` is remembered with stored content, as a
   * record's is, so `feeds status` counts for each source only what it brought.
   */
  async putDocument(doc: EnrichmentDocument, source: string): Promise<DocumentOutcome> {
    await this.lockWrites();
    const held = await this.db.selectFrom('feeds_documents').select(['digest', 'record_count']).where('kind', '=', doc.kind).executeTakeFirst();
    if (held?.digest === doc.digest) return { outcome: 'unchanged' };
    if (held && doc.edition) {
      const heldEdition = await this.heldEdition(doc.kind);
      const order = heldEdition ? compareEditions(doc.edition, heldEdition) : 1;
      if (heldEdition && order <= 0) {
        const reason = order < 0 ? 'older' : 'same-edition';
        const incoming = { edition: doc.edition, entries: doc.count };
        const kept = { edition: heldEdition, entries: held.record_count };
        return {
          outcome: 'kept-out',
          keptOut: {
            kind: doc.kind,
            source: doc.source,
            reason,
            incoming: { version: doc.edition.version, entries: doc.count },
            held: { version: heldEdition.version, entries: held.record_count },
            message: keptOutMessage(doc.kind, doc.source, reason, incoming, kept),
          },
        };
      }
    }
    await this.db
      .insertInto('feeds_documents')
      .values({ kind: doc.kind, content: doc.text, digest: doc.digest, record_count: doc.count, source, imported_at: this.clock() })
      .onConflict((oc) =>
        oc.column('kind').doUpdateSet((eb) => ({
          content: eb.ref('excluded.content'),
          digest: eb.ref('excluded.digest'),
          record_count: eb.ref('excluded.record_count'),
          source: eb.ref('excluded.source'),
          imported_at: eb.ref('excluded.imported_at'),
          seq: NEXT_CHANGE,
        })),
      )
      .execute();
    return { outcome: 'stored' };
  }

  /** The held document's edition: only an EPSS file's first line is read, a KEV catalog whole (about 1 MB). */
  private async heldEdition(kind: string): Promise<DocumentEdition | null> {
    const row = await this.db
      .selectFrom('feeds_documents')
      .select(kind === 'epss' ? sql<string>`left(content, 1024)`.as('content') : 'content')
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row ? storedEdition(kind, row.content) : null;
  }

  /**
   * The change mark of what is committed now: pass it to changesSince later. Writers hold the
   * feed write lock from their first change number to their commit, so numbers become visible in
   * order and nothing below a mark can appear after it was read.
   */
  async changeMark(): Promise<string> {
    // The zero is a parameter so that the statement is prepared (db/preparing-client.ts names
    // only statements with parameters): every upload batch reads the mark, and planning the four
    // max() subqueries cost PostgreSQL four times what running them did.
    const row = await sql<{ mark: string }>`
      select greatest(
        coalesce((select max(seq) from feeds_advisories), ${0}),
        coalesce((select max(seq) from feeds_documents), ${0}),
        coalesce((select max(seq) from feeds_nvd), ${0}),
        coalesce((select max(seq) from feeds_removals), ${0}))::text as mark
    `.execute(this.db);
    return row.rows[0]?.mark ?? '0';
  }

  /**
   * Holds feed writers off until this transaction ends and returns the change mark committed
   * now. A writer in progress is waited for first (its lock is exclusive, this hold shared), and
   * the mark is read by a later statement, whose snapshot includes that writer's commit. For
   * transactions that assess hosts from in-memory advisories: while one runs, nothing can commit
   * that it does not see, so a writer's re-assessment that follows its commit sees its result.
   */
  async holdWriters(): Promise<string> {
    await sql`select pg_advisory_xact_lock_shared(${FEED_WRITE_LOCK})`.execute(this.db);
    return this.changeMark();
  }

  /** Records, documents and NVD records stored after `mark`, read in one snapshot, and the next mark. */
  async changesSince(mark: string): Promise<FeedChanges> {
    // One statement, one snapshot: a commit between two queries could otherwise move the mark
    // past changes that the first query did not see. Rows are read again by key afterwards: a
    // later replacement only brings newer content, which the next call would bring anyway.
    const changed = await sql<{ table: 'a' | 'd' | 'n' | 'r'; key: string; seq: string }>`
      select 'a' as table, id as key, seq::text from feeds_advisories where seq > ${mark}::bigint
      union all
      select 'd' as table, kind as key, seq::text from feeds_documents where seq > ${mark}::bigint
      union all
      select 'n' as table, cve_id as key, seq::text from feeds_nvd where seq > ${mark}::bigint
      union all
      select 'r' as table, what || ':' || key as key, seq::text from feeds_removals where seq > ${mark}::bigint
    `.execute(this.db);
    let next = BigInt(mark);
    for (const row of changed.rows) if (BigInt(row.seq) > next) next = BigInt(row.seq);
    const ids = changed.rows.filter((r) => r.table === 'a').map((r) => r.key);
    const records: { id: string; record: unknown }[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      records.push(...(await this.db.selectFrom('feeds_advisories').select(['id', 'record']).where('id', 'in', ids.slice(i, i + CHUNK)).execute()));
    }
    const cves = changed.rows.filter((r) => r.table === 'n').map((r) => r.key);
    const nvd: NvdRecord[] = [];
    for (let i = 0; i < cves.length; i += CHUNK) {
      for (const row of await this.db.selectFrom('feeds_nvd').select('record').where('cve_id', 'in', cves.slice(i, i + CHUNK)).execute()) nvd.push(row.record as NvdRecord);
    }
    const removals = changed.rows.filter((r) => r.table === 'r').map((r) => r.key);
    const removedAs = (what: string) => removals.filter((k) => k.startsWith(`${what}:`)).map((k) => k.slice(what.length + 1));
    return {
      records,
      documents: changed.rows.filter((r) => r.table === 'd').map((r) => r.key),
      nvd,
      removed: { advisories: removedAs('advisory'), nvd: removedAs('nvd'), documents: removedAs('document') },
      mark: next.toString(),
    };
  }

  /**
   * Removes everything held under `name`, read as `feeds status` names things, and under a stored
   * source name: the advisory records, NVD records and enrichment documents stored under that
   * source name, and its sync state. Status names what imports hold of `kev`, `epss` and `nvd` by
   * the kind, whatever `--source` the import was given (one KEV catalog and one EPSS file are held;
   * NVD records from any number of pages are one line), so those names also take that kind's
   * content stored under any name but a held source of that kind (`holdsAs`): the name shown is
   * the name forgotten, and the line it was shown on goes. Each removal is recorded in the change
   * sequence, so processes following changes drop it too. A record another source (or an import)
   * stored last is not this source's and stays; one this source stored last over another's copy
   * leaves, and the other sources of that kind lose their validators so their next sync stores
   * their copy again. Inside a transaction, as applyRecords.
   */
  async forget(name: string): Promise<FeedRemovals & { readonly syncState: boolean }> {
    await this.lockWrites();
    const sourceKinds = new Map((await this.db.selectFrom('feeds_sources').select(['name', 'kind']).execute()).map((r) => [r.name, r.kind]));
    const advisories = (await this.db.deleteFrom('feeds_advisories').where('source', '=', name).returning('id').execute()).map((r) => r.id);
    const nvdSources = [name];
    if (name === IMPORTED_NVD) {
      const stored = await this.db.selectFrom('feeds_nvd').select('source').distinct().execute();
      nvdSources.push(...stored.map((r) => r.source).filter((s) => s !== name && !holdsAs(sourceKinds, s, 'nvd')));
    }
    const nvd = (await this.db.deleteFrom('feeds_nvd').where('source', 'in', nvdSources).returning('cve_id').execute()).map((r) => r.cve_id);
    const heldDocuments = await this.db.selectFrom('feeds_documents').select(['kind', 'source']).execute();
    // A document without a source (held since before sources were recorded) is shown by its kind too.
    const documentKinds = heldDocuments.filter((d) => d.source === name || (d.kind === name && !holdsAs(sourceKinds, d.source, d.kind))).map((d) => d.kind);
    const documents =
      documentKinds.length === 0 ? [] : (await this.db.deleteFrom('feeds_documents').where('kind', 'in', documentKinds).returning('kind').execute()).map((r) => r.kind);
    const syncState = (await this.db.deleteFrom('feeds_sources').where('name', '=', name).returning('name').execute()).length > 0;
    const removals = [...advisories.map((key) => ['advisory', key]), ...nvd.map((key) => ['nvd', key]), ...documents.map((key) => ['document', key])];
    if (removals.length > 0) {
      await sql`insert into feeds_removals (what, key) select * from unnest(${removals.map((r) => r[0])}::text[], ${removals.map((r) => r[1])}::text[])`.execute(this.db);
      // What this source stored last may have replaced another source's copy of the same id
      // (one row per id), which is gone with it. The validators of the sources of those kinds are
      // dropped, so their next sync downloads the file in full and stores that copy again,
      // instead of hearing "not modified" and leaving the id unheld until the file changes.
      const kinds = [...(advisories.length > 0 ? ['osv'] : []), ...(nvd.length > 0 ? ['nvd'] : []), ...documents];
      // An NVD API source fetches only what changed since its watermark: it must load everything again.
      await this.db.updateTable('feeds_sources').set({ etag: null, last_modified: null, watermark: null }).where('kind', 'in', kinds).execute();
    }
    return { advisories, nvd, documents, syncState };
  }

  /**
   * The names forget takes that hold something and are not `configured` (those are refused):
   * each name `feeds status` shows for what is held, and each source name content is stored
   * under (an import's `--source`, shown by kind for enrichment). Sorted; for the error that
   * answers a name that holds nothing.
   */
  async forgettableNames(configured: ReadonlySet<string>): Promise<string[]> {
    const stored = await sql<{ source: string }>`
      select source from feeds_advisories union select source from feeds_nvd union select source from feeds_documents where source is not null
    `.execute(this.db);
    const shown = (await this.status(configured)).map((line) => line.name);
    const names = new Set([...shown, ...stored.rows.map((r) => r.source)]);
    return [...names].filter((n) => !configured.has(n)).sort();
  }

  private async lockWrites(): Promise<void> {
    await sql`select pg_advisory_xact_lock(${FEED_WRITE_LOCK})`.execute(this.db);
  }

  async documents(): Promise<{ kind: string; content: string }[]> {
    return this.db.selectFrom('feeds_documents').select(['kind', 'content']).orderBy('kind').execute();
  }

  async upsertSource(source: FeedSource): Promise<void> {
    await this.db
      .insertInto('feeds_sources')
      .values({
        name: source.name,
        kind: source.kind,
        url: source.url,
        sha256_url: source.sha256Url ?? null,
        interval_seconds: source.intervalSeconds,
        etag: null,
        last_modified: null,
        last_attempt_at: null,
        last_success_at: null,
        last_error: null,
        record_count: null,
        watermark: null,
      })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          url: eb.ref('excluded.url'),
          sha256_url: eb.ref('excluded.sha256_url'),
          interval_seconds: eb.ref('excluded.interval_seconds'),
          // "Modified since the last sync" means nothing to another URL or kind: it starts over.
          watermark: sql<Date | null>`case when feeds_sources.url = excluded.url and feeds_sources.kind = excluded.kind then feeds_sources.watermark end`,
        })),
      )
      .execute();
  }

  async sources(): Promise<(FeedSource & { etag: string | null; lastModified: string | null; lastAttemptAt: Date | null; lastError: string | null; watermark: Date | null })[]> {
    const rows = await this.db.selectFrom('feeds_sources').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      kind: r.kind as FeedSource['kind'],
      url: r.url,
      sha256Url: r.sha256_url,
      intervalSeconds: r.interval_seconds,
      etag: r.etag,
      lastModified: r.last_modified,
      lastAttemptAt: r.last_attempt_at,
      lastError: r.last_error,
      watermark: r.watermark,
    }));
  }

  /** Records a sync attempt. A failure keeps the validators (etag), the watermark and the data of the last success. */
  async recordSync(name: string, outcome: SyncOutcome): Promise<void> {
    const now = this.clock();
    await this.db
      .updateTable('feeds_sources')
      .set(
        outcome.ok
          ? {
              last_attempt_at: now,
              last_success_at: now,
              last_error: null,
              ...(outcome.etag !== undefined ? { etag: outcome.etag } : {}),
              ...(outcome.lastModified !== undefined ? { last_modified: outcome.lastModified } : {}),
              ...(outcome.watermark !== undefined ? { watermark: outcome.watermark } : {}),
            }
          : { last_attempt_at: now, last_error: outcome.error ?? 'unknown error' },
      )
      .where('name', '=', name)
      .execute();
  }

  /**
   * Each configured source, then each import origin (advisory sources and enrichment kinds). A
   * configured source's records are what it holds now: the advisory records whose held copy it
   * stored, or the entries of the documents it stored that are still held (0 when none is), never
   * what its last file counted or what another source brought.
   *
   * `configured` names the sources of the server's present `--feeds` file; a held source not in
   * it is listed after them as no longer configured, with what it still holds (its rows and
   * records are kept: they are published advisories still matched, and their sync history is
   * what an operator restoring the entry wants back). Omitted, every held source is configured.
   */
  async status(configured?: ReadonlySet<string>): Promise<FeedStatus[]> {
    const held = await this.db.selectFrom('feeds_sources').selectAll().orderBy('name').execute();
    const isConfigured = (name: string): boolean => configured === undefined || configured.has(name);
    // Configured first, in name order; those the present file dropped after them.
    const sources = [...held.filter((c) => isConfigured(c.name)), ...held.filter((c) => !isConfigured(c.name))];
    const bySource = await this.db
      .selectFrom('feeds_advisories')
      .select(['source', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.max('imported_at').as('at')])
      .groupBy('source')
      .orderBy('source')
      .execute();
    const docs = await this.db.selectFrom('feeds_documents').select(['kind', 'record_count', 'source', 'imported_at']).orderBy('kind').execute();
    const nvdBySource = await this.db
      .selectFrom('feeds_nvd')
      .select(['source', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.max('imported_at').as('at')])
      .groupBy('source')
      .orderBy('source')
      .execute();
    const names = new Set(held.map((c) => c.name));
    const sourceKinds = new Map(held.map((c) => [c.name, c.kind]));
    const holds = (c: { name: string; kind: string }): number => {
      if (c.kind === 'osv') return Number(bySource.find((s) => s.source === c.name)?.n ?? 0);
      if (c.kind === 'nvd') return Number(nvdBySource.find((s) => s.source === c.name)?.n ?? 0);
      return docs.filter((d) => d.source === c.name && d.kind === c.kind).reduce((sum, d) => sum + d.record_count, 0);
    };
    // Imported NVD records are one line, as a KEV catalog is, whatever the pages were named.
    const nvdImported = nvdBySource.filter((s) => !holdsAs(sourceKinds, s.source, 'nvd'));
    const imported = (name: string, kind: string, records: number, at: Date | null): FeedStatus => ({ name, kind, origin: 'import', url: null, records, lastSuccessAt: at, lastAttemptAt: at, lastError: null });
    return [
      ...sources.map((c) => ({
        name: c.name,
        kind: c.kind,
        origin: isConfigured(c.name) ? ('configured' as const) : ('no-longer-configured' as const),
        url: c.url,
        records: holds(c),
        lastSuccessAt: c.last_success_at,
        lastAttemptAt: c.last_attempt_at,
        lastError: c.last_error,
      })),
      ...bySource.filter((s) => !names.has(s.source)).map((s) => imported(s.source, 'osv', Number(s.n), s.at)),
      // A document a source of its kind stored is counted on that source's line; an imported one is named by its kind.
      ...docs.filter((d) => !holdsAs(sourceKinds, d.source, d.kind)).map((d) => imported(d.kind, d.kind, d.record_count, d.imported_at)),
      ...(nvdImported.length > 0 ? [imported(IMPORTED_NVD, 'nvd', nvdImported.reduce((sum, r) => sum + Number(r.n), 0), latestOf(nvdImported.map((r) => r.at)))] : []),
    ];
  }
}

/**
 * Whether content of `kind` stored under `source` is shown on that source's `feeds status` line:
 * the source is held and of that kind (its line counts only its kind). Anything else (an import's
 * `--source`, even one naming a held source of another kind) is an import, shown and forgotten by
 * its kind: otherwise it would be on no line, and no name status shows would forget it.
 */
function holdsAs(sourceKinds: ReadonlyMap<string, string>, source: string | null, kind: string): boolean {
  return source !== null && sourceKinds.get(source) === kind;
}

function latestOf(dates: readonly (Date | null)[]): Date | null {
  return dates.reduce<Date | null>((last, d) => (d !== null && (last === null || d > last) ? d : last), null);
}

/** Whether a record revision is strictly older than another; unknown when either has no date. */
function isOlder(modified: Date | null, than: Date | null): boolean {
  return modified !== null && than !== null && modified.getTime() < than.getTime();
}
