import { sql, type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import { uuidArrayParam } from '../db/index.js';
import type { Priority } from '../risk/index.js';
import type { AssessedFinding, FindingState, StoredFinding } from './finding-row.js';
import { KnownDetails } from './known-details.js';
import type { FindingsTables } from './tables.js';

export interface FindingFilter {
  readonly hostId?: string | undefined;
  readonly hostIds?: readonly string[] | undefined;
  /**
   * Leave out these hosts' findings: the retired ones, whose findings are kept as history but are
   * no longer anybody's to fix (the caller reads which hosts; this module reads no host table).
   */
  readonly excludingHosts?: readonly string[] | undefined;
  readonly state?: FindingState | undefined;
  readonly priorities?: readonly Priority[] | undefined;
  readonly kev?: boolean | undefined;
  readonly types?: readonly string[] | undefined;
  readonly package?: string | undefined;
  readonly advisory?: string | undefined;
  /**
   * Only findings first seen before a cutoff that depends on priority and host: any one of the
   * terms matches. How the SLA's "overdue" is asked without this module reading host tables.
   */
  readonly seenBefore?: readonly { readonly priority: Priority; readonly hostIds: readonly string[]; readonly before: Date }[] | undefined;
  /** What `seenBefore` compares: first seen (default), or the advisory's publication (first seen when unknown). */
  readonly clockFrom?: 'first-seen' | 'published' | undefined;
  /**
   * Findings whose clock started again at `at` (an exception covering them expired): a
   * `seenBefore` cutoff takes them only when `at` is before it too.
   */
  readonly restarts?: readonly (FindingCover & { readonly at: Date })[] | undefined;
  /** Only findings whose fix is in (true) or out of (false) the emergency lane, its criteria as given. */
  readonly emergency?: EmergencyFilter | undefined;
  /** Leave out findings these cover (exceptions in force), each on its hosts by advisory or alias and/or package. */
  readonly excluding?: readonly FindingCover[] | undefined;
}

/** A set of findings described without reading another module's tables: hosts × advisory × package. */
export interface FindingCover {
  readonly hostIds: readonly string[];
  readonly advisory?: string | undefined;
  readonly package?: string | undefined;
}

/** The emergency lane's criteria as the findings table can test them (docs/sla.md). */
export interface EmergencyFilter {
  readonly in: boolean;
  readonly kev: boolean;
  readonly cvssAtLeast: number | null;
  readonly epssAtLeast: number | null;
  /** Hosts on which the EPSS criterion counts (the internet-facing ones), or every host. */
  readonly epssHostIds: readonly string[] | 'all';
}

export type FindingSort = 'priority' | 'first_seen' | 'package' | 'advisory';

export interface FindingPage {
  readonly limit: number;
  readonly offset: number;
  readonly sort: FindingSort;
}

/** Open findings alike in everything a baseline decides on, and the hosts that carry them. */
export interface JudgedFinding extends Pick<StoredFinding, 'advisory' | 'aliases' | 'type' | 'ecosystem' | 'package' | 'fixed' | 'severity' | 'priority' | 'kev' | 'published' | 'firstSeen'> {
  /** The hosts, as positions in the list `openForJudgement` was given. */
  readonly hosts: readonly number[];
}

/** What one host's re-assessment changed. */
export interface FindingChanges {
  readonly opened: number;
  /** Kept open with another detail, or reopened (from fixed or retracted). */
  readonly updated: number;
  /** Closed because the host changed: its package was upgraded or removed. */
  readonly fixed: number;
  /** Closed because the advisory changed while the host kept the version it recorded. */
  readonly retracted: number;
}

/**
 * Which packages a host has now, as findings name them: ecosystem, the name matched (the source
 * package where the ecosystem's advisories name sources) and the version compared. The caller
 * builds it from the inventory (matching's `InstalledTargets`), so this module parses none.
 */
export interface InstalledNow {
  has(ecosystem: string, name: string, version: string): boolean;
}

/** One host's fresh assessment, as `syncHosts` takes it. */
export interface HostSync {
  readonly hostId: string;
  readonly findings: readonly AssessedFinding[];
  readonly installed: InstalledNow;
}

type DetailRow = Selectable<FindingsTables['findings_details']>;
type StateRow = Selectable<FindingsTables['findings_states']>;
/** The two tables joined as the readers see them: `s` a host's finding, `d` what it shows. */
type Joined = FindingsTables & { s: FindingsTables['findings_states']; d: FindingsTables['findings_details'] };

/** What a host has stored under a finding key: a row, or an entry of its set no row overrides (with `since`). */
interface Stored {
  readonly id: string;
  readonly detail_id: string;
  readonly state: FindingState;
  /** A set entry's first seen (when the set was stored); undefined for a row. */
  readonly since?: Date;
}

/** A stored open finding the fresh assessment no longer has. */
interface Gone extends Stored {
  readonly host: number;
  readonly key: string;
}

/** A row that takes a set entry's id: what changed about one of a host's first findings. */
interface Override {
  readonly id: string;
  readonly hostId: string;
  readonly key: string;
  readonly detail: string;
  readonly state: FindingState;
  readonly firstSeen: Date;
  readonly fixedAt: Date | null;
}

const WRITE_CHUNK = 5000;
/** The most entries a host's set may have: the ids migration 0033's sequence gives each set (2^20). */
const MAX_SET_LENGTH = 1_048_576;
/** Every column of a detail but its id (the host's finding has its own). */
const DETAIL_COLUMNS = ['d.advisory_id', 'd.ecosystem', 'd.package', 'd.installed', 'd.fixed', 'd.type', 'd.severity', 'd.cvss', 'd.kev', 'd.epss', 'd.priority', 'd.reasons', 'd.aliases', 'd.summary', 'd.published'] as const;

/**
 * Stored findings with their lifecycle (open, fixed, retracted). `syncHost` makes the stored
 * open set equal to a fresh assessment; run it inside the same transaction as the inventory
 * change, so readers see the old picture or the new one, never an empty or half-written one.
 *
 * What is shown about a finding lives once per distinct content in `findings_details` (keyed by
 * its digest, never changed); a host's finding is its identity, the detail it shows now and its
 * lifecycle. A host's first findings are one row of arrays (`findings_sets`), so a first upload
 * writes one row, not hundreds; each later finding, and each change to one of the first (a row
 * that takes the set entry's id and first seen), is a narrow row of `findings_rows`, so a host's
 * findings changing is a few rows. Readers see both through the view `findings_states`.
 */
export class FindingsStore {
  constructor(
    private readonly db: Kysely<FindingsTables>,
    private readonly clock: () => Date,
    /** Details known to be stored (long-lived, shared by a process's stores); none by default. */
    private readonly known: KnownDetails = new KnownDetails(0),
  ) {}

  /**
   * Makes the host's open findings those of `findings`. A finding no longer assessed is closed
   * as `fixed` when the host no longer has the package at the version its detail recorded (a
   * remediation), and as `retracted` when `installed` says it still has it: then the advisory
   * changed, not the host, and counting it as fixed would flatter time-to-patch and the SLA.
   * A closed finding assessed again reopens with a new first seen.
   */
  async syncHost(hostId: string, findings: readonly AssessedFinding[], installed: InstalledNow): Promise<FindingChanges> {
    return (await this.syncHosts([{ hostId, findings, installed }]))[0] as FindingChanges;
  }

  /**
   * `syncHost` for several hosts at once (uploads written together): the same statements as for
   * one host, each carrying every host's rows, so N hosts cost one round trip per statement
   * instead of N. Each host appears at most once. Answers in the order given.
   */
  async syncHosts(hosts: readonly HostSync[]): Promise<FindingChanges[]> {
    if (hosts.length === 0) return [];
    const now = this.clock();
    const storedOf = await this.storedOf(hosts.map((h) => h.hostId));
    const inserts: { hostId: string; finding: AssessedFinding }[] = [];
    const updates: { id: string; detail: string; reopened: boolean }[] = [];
    const overrides: Override[] = [];
    const sets: { hostId: string; findings: readonly AssessedFinding[] }[] = [];
    // Details to store: those this process does not know are stored already (most: hosts of one image share them).
    const needed = new Map<string, AssessedFinding>();
    const need = (f: AssessedFinding) => {
      if (!this.known.has(f.detail)) needed.set(f.detail, f);
    };
    const gone: Gone[] = [];
    const changes = hosts.map((h, index) => {
      const fresh = distinctByKey(h.findings);
      const stored = storedOf.get(h.hostId);
      if (stored === undefined) {
        // The host's first findings: one row for all of them.
        for (const f of fresh) need(f);
        if (fresh.length > MAX_SET_LENGTH) for (const finding of fresh) inserts.push({ hostId: h.hostId, finding });
        else if (fresh.length > 0) sets.push({ hostId: h.hostId, findings: fresh });
        return { opened: fresh.length, updated: 0, fixed: 0, retracted: 0 };
      }
      let opened = 0;
      let updated = 0;
      const seen = new Set<string>();
      for (const f of fresh) {
        seen.add(f.key);
        const had = stored.get(f.key);
        if (!had) {
          inserts.push({ hostId: h.hostId, finding: f });
          need(f);
          opened++;
        } else if (had.state !== 'open' || had.detail_id !== f.detail) {
          // A set entry is open: only its detail can change, as a row that takes its id and first seen.
          if (had.since !== undefined) overrides.push({ id: had.id, hostId: h.hostId, key: f.key, detail: f.detail, state: 'open', firstSeen: had.since, fixedAt: null });
          else updates.push({ id: had.id, detail: f.detail, reopened: had.state !== 'open' });
          need(f);
          updated++;
        }
      }
      for (const [key, had] of stored) if (had.state === 'open' && !seen.has(key)) gone.push({ host: index, key, ...had });
      return { opened, updated, fixed: 0, retracted: 0 };
    });
    await this.storeDetails(needed);
    // Arrays bound as one parameter per column (unnest): one round trip per chunk, and a
    // statement's cost does not grow with its parameter count.
    for (let i = 0; i < updates.length; i += WRITE_CHUNK) {
      const chunk = updates.slice(i, i + WRITE_CHUNK);
      await sql`
        update findings_rows as s set
          detail_id = u.detail, state = 'open', fixed_at = null, updated_at = ${now},
          first_seen = case when u.reopened then ${now} else s.first_seen end
        from unnest(${chunk.map((u) => u.id)}::bigint[], ${uuidArrayParam(chunk.map((u) => u.detail))}::uuid[], ${chunk.map((u) => u.reopened)}::boolean[]) as u(id, detail, reopened)
        where s.id = u.id`.execute(this.db);
    }
    for (let i = 0; i < inserts.length; i += WRITE_CHUNK) {
      const chunk = inserts.slice(i, i + WRITE_CHUNK);
      await sql`
        insert into findings_rows (host_id, key, detail_id, state, first_seen, fixed_at, updated_at)
        select u.host_id, u.key, u.detail, 'open', ${now}, null, ${now}
        from unnest(${uuidArrayParam(chunk.map((f) => f.hostId))}::uuid[], ${uuidArrayParam(chunk.map((f) => f.finding.key))}::uuid[], ${uuidArrayParam(chunk.map((f) => f.finding.detail))}::uuid[]) as u(host_id, key, detail)`.execute(this.db);
    }
    if (sets.length > 0) {
      // Every set's keys and details travel as one binary array each; a host's set is its slice.
      const keys: string[] = [];
      const details: string[] = [];
      const firsts: number[] = [];
      for (const s of sets) {
        firsts.push(keys.length + 1);
        for (const f of s.findings) {
          keys.push(f.key);
          details.push(f.detail);
        }
      }
      await sql`
        insert into findings_sets (host_id, first_id, keys, details, since)
        select u.host_id, nextval('findings_set_ids'), (${uuidArrayParam(keys)}::uuid[])[u.first:u.last], (${uuidArrayParam(details)}::uuid[])[u.first:u.last], ${now}
        from unnest(${uuidArrayParam(sets.map((s) => s.hostId))}::uuid[], ${firsts}::int[], ${sets.map((s, i) => (firsts[i] as number) + s.findings.length - 1)}::int[]) as u(host_id, first, last)`.execute(this.db);
    }
    const why = await this.whyGone(gone, (r) => (hosts[r.host] as HostSync).installed);
    // Rows close in place; set entries that closed become rows that take their id and first seen.
    for (const [closed, state] of [[why.fixed, 'fixed'], [why.retracted, 'retracted']] as const) {
      const fixedAt = state === 'fixed' ? now : null;
      const rowIds = closed.filter((r) => r.since === undefined).map((r) => r.id);
      if (rowIds.length > 0) {
        await sql`update findings_rows set state = ${state}, fixed_at = ${fixedAt}, updated_at = ${now} where id = any(${rowIds}::bigint[])`.execute(this.db);
      }
      for (const r of closed) {
        if (r.since !== undefined) overrides.push({ id: r.id, hostId: (hosts[r.host] as HostSync).hostId, key: r.key, detail: r.detail_id, state, firstSeen: r.since, fixedAt });
      }
    }
    for (let i = 0; i < overrides.length; i += WRITE_CHUNK) {
      const chunk = overrides.slice(i, i + WRITE_CHUNK);
      await sql`
        insert into findings_rows (id, host_id, key, detail_id, state, first_seen, fixed_at, updated_at) overriding system value
        select u.id, u.host_id, u.key, u.detail, u.state, u.first_seen, u.fixed_at, ${now}
        from unnest(${chunk.map((o) => o.id)}::bigint[], ${uuidArrayParam(chunk.map((o) => o.hostId))}::uuid[], ${uuidArrayParam(chunk.map((o) => o.key))}::uuid[],
          ${uuidArrayParam(chunk.map((o) => o.detail))}::uuid[], ${chunk.map((o) => o.state)}::text[], ${chunk.map((o) => o.firstSeen.toISOString())}::timestamptz[],
          ${chunk.map((o) => o.fixedAt?.toISOString() ?? null)}::timestamptz[]) as u(id, host_id, key, detail, state, first_seen, fixed_at)`.execute(this.db);
    }
    for (const r of why.fixed) (changes[r.host] as { fixed: number }).fixed++;
    for (const r of why.retracted) (changes[r.host] as { retracted: number }).retracted++;
    return changes;
  }

  /**
   * What each host has stored, by finding key: its rows (any state), and the entries of its set
   * that no row overrides. Hosts with nothing stored are absent from the map.
   */
  private async storedOf(hostIds: readonly string[]): Promise<Map<string, Map<string, Stored>>> {
    const ids = uuidArrayParam(hostIds);
    const rows = await sql<{ host_id: string; id: string; key: string; detail_id: string; state: FindingState }>`
      select host_id, id, key, detail_id, state from findings_rows where host_id = any(${ids}::uuid[])`.execute(this.db);
    // The arrays as comma-joined text: splitting it costs a few percent of what the drivers'
    // array parsers take for a set's ~500 uuids each.
    const sets = await sql<{ host_id: string; first_id: string; keys: string; details: string; since: Date }>`
      select host_id, first_id, array_to_string(keys, ',') as keys, array_to_string(details, ',') as details, since
      from findings_sets where host_id = any(${ids}::uuid[])`.execute(this.db);
    const out = new Map<string, Map<string, Stored>>();
    const of = (hostId: string): Map<string, Stored> => {
      let stored = out.get(hostId);
      if (!stored) out.set(hostId, (stored = new Map<string, Stored>()));
      return stored;
    };
    for (const s of sets.rows) {
      const stored = of(s.host_id);
      const first = BigInt(s.first_id);
      const since = new Date(s.since);
      const details = s.details.split(',');
      s.keys.split(',').forEach((key, i) => stored.set(key, { id: String(first + BigInt(i)), detail_id: details[i] as string, state: 'open', since }));
    }
    for (const r of rows.rows) of(r.host_id).set(r.key, { id: String(r.id), detail_id: r.detail_id, state: r.state });
    return out;
  }

  /**
   * Splits findings that left the assessment into fixed and retracted by the package and version
   * their current detail recorded. Read only when some left (most syncs close none), so an
   * upload that changes nothing pays no join.
   */
  private async whyGone<R extends { readonly detail_id: string }>(gone: readonly R[], installedOf: (row: R) => InstalledNow): Promise<{ fixed: R[]; retracted: R[] }> {
    const fixed: R[] = [];
    const retracted: R[] = [];
    if (gone.length === 0) return { fixed, retracted };
    const details = await sql<{ id: string; ecosystem: string; package: string; installed: string }>`
      select id, ecosystem, package, installed from findings_details where id = any(${uuidArrayParam([...new Set(gone.map((r) => r.detail_id))])}::uuid[])`.execute(this.db);
    const byId = new Map(details.rows.map((d) => [d.id, d]));
    for (const r of gone) {
      const d = byId.get(r.detail_id);
      // A detail is never deleted; were one missing, fixed is what closing meant before.
      if (d !== undefined && installedOf(r).has(d.ecosystem, d.package, d.installed)) retracted.push(r);
      else fixed.push(r);
    }
    return { fixed, retracted };
  }

  /**
   * Stores the details no host has yet, of those this process does not know are stored: they
   * are asked for, and only the missing ones are sent with their text. Inserted in id order, so
   * two uploads adding the same details never wait on each other in a cycle.
   */
  private async storeDetails(needed: ReadonlyMap<string, AssessedFinding>): Promise<void> {
    if (needed.size === 0) return;
    const unknown = [...needed.keys()];
    const stored = await sql<{ id: string }>`select id from findings_details where id = any(${uuidArrayParam(unknown)}::uuid[])`.execute(this.db);
    const have = new Set(stored.rows.map((r) => r.id));
    for (const id of have) this.known.add(id);
    const missing = unknown.map((id) => needed.get(id) as AssessedFinding).filter((f) => !have.has(f.detail)).sort((a, b) => (a.detail < b.detail ? -1 : a.detail > b.detail ? 1 : 0));
    for (let i = 0; i < missing.length; i += WRITE_CHUNK) {
      const chunk = missing.slice(i, i + WRITE_CHUNK);
      const col = <T>(pick: (f: AssessedFinding) => T) => chunk.map(pick);
      await sql`
        insert into findings_details (id, advisory_id, ecosystem, package, installed, fixed, type, severity, cvss, kev, epss, priority, reasons, aliases, summary, published)
        select u.id, u.advisory_id, u.ecosystem, u.package, u.installed, u.fixed, u.type, u.severity, u.cvss, u.kev, u.epss, u.priority,
          u.reasons::jsonb, u.aliases::jsonb, u.summary, u.published
        from unnest(
          ${uuidArrayParam(col((f) => f.detail))}::uuid[], ${col((f) => f.advisory)}::text[], ${col((f) => f.ecosystem)}::text[], ${col((f) => f.package)}::text[],
          ${col((f) => f.installed)}::text[], ${col((f) => f.fixed)}::text[], ${col((f) => f.type)}::text[], ${col((f) => f.severity)}::text[],
          ${col((f) => f.cvss)}::real[], ${col((f) => f.kev)}::boolean[], ${col((f) => f.epss)}::real[], ${col((f) => f.priority)}::text[],
          ${col((f) => JSON.stringify(f.reasons))}::text[], ${col((f) => JSON.stringify(f.aliases))}::text[], ${col((f) => f.summary)}::text[],
          ${col((f) => f.published?.toISOString() ?? null)}::timestamptz[]
        ) as u(id, advisory_id, ecosystem, package, installed, fixed, type, severity, cvss, kev, epss, priority, reasons, aliases, summary, published)
        on conflict (id) do nothing`.execute(this.db);
    }
  }

  async list(filter: FindingFilter, page: FindingPage): Promise<{ total: number; findings: StoredFinding[] }> {
    let q = this.joined().where(hostsOf(filter, sql.ref('s.host_id')));
    q = q.where('s.state', '=', filter.state ?? 'open');
    if (filter.priorities?.length) q = q.where('d.priority', 'in', [...filter.priorities]);
    if (filter.kev !== undefined) q = q.where('d.kev', '=', filter.kev);
    if (filter.types?.length) q = q.where('d.type', 'in', [...filter.types]);
    if (filter.package !== undefined) q = q.where('d.package', '=', filter.package);
    if (filter.seenBefore !== undefined) {
      const terms = filter.seenBefore.filter((t) => t.hostIds.length > 0);
      const start = filter.clockFrom === 'published' ? sql<Date>`coalesce(d.published, s.first_seen)` : sql<Date>`s.first_seen`;
      const restarts = filter.restarts ?? [];
      q = q.where((eb) =>
        eb.or(
          terms.map((t) => {
            // A restart at or after the cutoff moved this finding's clock past it.
            const later = restarts.filter((r) => r.at.getTime() >= t.before.getTime());
            return eb.and([
              eb('d.priority', '=', t.priority),
              eb(start, '<', t.before),
              eb('s.host_id', '=', sql<string>`any(${[...t.hostIds]}::uuid[])`),
              ...(later.length > 0 ? [eb.not(covered(eb, later))] : []),
            ]);
          }),
        ),
      );
    }
    if (filter.emergency !== undefined) {
      const lane = filter.emergency;
      q = q.where((eb) => {
        const criteria = emergencyCriteria(eb, lane);
        const inLane = criteria.length > 0 ? eb.and([eb('d.type', '=', 'security'), eb.or(criteria)]) : sql<SqlBool>`false`;
        return lane.in ? inLane : eb.not(inLane);
      });
    }
    if (filter.excluding?.length) q = q.where((eb) => eb.not(covered(eb, filter.excluding ?? [])));
    if (filter.advisory !== undefined) {
      const id = filter.advisory;
      q = q.where((eb) => eb.or([eb('d.advisory_id', '=', id), eb(sql`d.aliases`, '@>', sql`${JSON.stringify([id])}::jsonb`)]));
    }
    const total = byHostAndStateOnly(filter) ? await this.countByHostAndState(filter) : (await q.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow()).total;
    // The page is chosen carrying the findings' narrow columns only, and what they show is read
    // for those found: sorting a fleet's millions of open findings with every detail column
    // attached took about half again as long (docs/benchmarks.md, stop 23).
    let rows = q.select(['s.id', 's.host_id', 's.state', 's.first_seen', 's.fixed_at', 's.updated_at', 's.detail_id']);
    switch (page.sort) {
      case 'priority':
        rows = rows.orderBy('d.priority').orderBy('d.epss', (o) => o.desc().nullsLast()).orderBy('s.id');
        break;
      case 'first_seen':
        rows = rows.orderBy('s.first_seen').orderBy('s.id');
        break;
      case 'package':
        rows = rows.orderBy('d.package').orderBy('d.priority').orderBy('s.id');
        break;
      case 'advisory':
        rows = rows.orderBy('d.advisory_id').orderBy('s.id');
        break;
    }
    const found = await rows.limit(page.limit).offset(page.offset).execute();
    const shown = await this.detailsOf(found.map((r) => r.detail_id));
    return { total: Number(total), findings: found.map((r) => toStored({ ...(shown.get(r.detail_id) as Omit<DetailRow, 'id'>), ...r })) };
  }

  /** What these details show, by id (each read once). */
  private async detailsOf(ids: readonly string[]): Promise<Map<string, Omit<DetailRow, 'id'>>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('findings_details as d')
      .select(['d.id', ...DETAIL_COLUMNS])
      .where('d.id', '=', sql<string>`any(${uuidArrayParam([...new Set(ids)])}::uuid[])`)
      .execute();
    return new Map(rows.map(({ id, ...detail }) => [id, detail]));
  }

  /**
   * `list`'s total when only hosts and state narrow it, without expanding the sets (at 10,000
   * hosts that is millions of entries, half of a fleet's first page): the rows in that state,
   * and for open ones the sets' entries less those a row overrides (a row whose id lies in its
   * host's set's block).
   */
  private async countByHostAndState(filter: FindingFilter): Promise<string> {
    const state = filter.state ?? 'open';
    const entries =
      state === 'open'
        ? sql`
          + (select coalesce(sum(cardinality(keys)), 0) from findings_sets where ${hostsOf(filter, sql.ref('host_id'))})
          - (select count(*) from findings_rows r join findings_sets s on s.host_id = r.host_id
             where r.id >= s.first_id and r.id < s.first_id + cardinality(s.keys) and ${hostsOf(filter, sql.ref('r.host_id'))})`
        : sql``;
    const counted = await sql<{ total: string }>`
      select ((select count(*) from findings_rows where state = ${state} and ${hostsOf(filter, sql.ref('host_id'))}) ${entries})::text as total`.execute(this.db);
    return (counted.rows[0] as { total: string }).total;
  }

  async get(id: string): Promise<StoredFinding | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    // The host first (a row's, or the one whose set's ids start nearest below), so the view
    // expands one host's set, not every host's.
    const owners = await sql<{ host_id: string }>`
      select host_id from findings_rows where id = ${id}
      union all (select host_id from findings_sets where first_id <= ${id} order by first_id desc limit 1)`.execute(this.db);
    if (owners.rows.length === 0) return undefined;
    const row = await this.joined()
      .select([...DETAIL_COLUMNS, 's.id', 's.host_id', 's.state', 's.first_seen', 's.fixed_at', 's.updated_at'])
      .where('s.host_id', '=', sql<string>`any(${uuidArrayParam(owners.rows.map((r) => r.host_id))}::uuid[])`)
      .where('s.id', '=', id)
      .executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  /**
   * The open findings of these hosts, grouped by what a baseline decides on, each with the hosts
   * carrying it: the hosts of one image share one group, so judging a fleet costs its distinct
   * findings, not its findings. `excluding` leaves out findings under exceptions in force.
   *
   * Hosts come back as their positions in `hostIds`: a fleet's open findings are millions of
   * (finding, host) pairs, and as uuid strings they took the server ~300 MB and seconds to
   * parse at 10,000 hosts. Grouped by detail id in SQL (a narrow key; the detail's columns
   * follow from its primary key), the positions as one string per group, then groups alike in
   * what a decision reads are merged here.
   */
  async openForJudgement(hostIds: readonly string[], excluding: readonly FindingCover[] = []): Promise<JudgedFinding[]> {
    if (hostIds.length === 0) return [];
    const positions = sql<{ id: string; n: string }>`(select id, n - 1 as n from unnest(${uuidArrayParam(hostIds)}::uuid[]) with ordinality as u(id, n))`.as('h');
    let q = this.joined()
      .innerJoin(positions, 'h.id', 's.host_id')
      .select([
        'd.advisory_id',
        'd.aliases',
        'd.type',
        'd.ecosystem',
        'd.package',
        'd.fixed',
        'd.severity',
        'd.priority',
        'd.kev',
        'd.published',
        (eb) => eb.fn.min('s.first_seen').as('first_seen'),
        sql<string>`string_agg(h.n::text, ',')`.as('hosts'),
      ])
      .where('s.state', '=', 'open');
    if (excluding.length > 0) q = q.where((eb) => eb.not(covered(eb, excluding)));
    // First seen matters only without a publication date (a rule then counts from it), so only
    // those findings stay apart per first seen.
    const rows = await q.groupBy(['d.id', sql`case when d.published is null then s.first_seen end`]).execute();
    const judged = new Map<string, JudgedFinding & { hosts: number[] }>();
    for (const r of rows) {
      const firstSeen = new Date(r.first_seen);
      const alike = JSON.stringify([r.advisory_id, r.aliases, r.type, r.ecosystem, r.package, r.fixed, r.severity, r.priority, r.kev, r.published, r.published === null ? firstSeen : null]);
      const seen = judged.get(alike);
      if (seen) {
        readPositions(r.hosts, seen.hosts);
        if (firstSeen < seen.firstSeen) judged.set(alike, { ...seen, firstSeen });
        continue;
      }
      judged.set(alike, {
        hosts: readPositions(r.hosts, []),
        advisory: r.advisory_id,
        aliases: r.aliases,
        type: r.type as StoredFinding['type'],
        ecosystem: r.ecosystem,
        package: r.package,
        fixed: r.fixed,
        severity: r.severity as StoredFinding['severity'],
        priority: r.priority as Priority,
        kev: r.kev,
        published: r.published,
        firstSeen,
      });
    }
    return [...judged.values()];
  }

  /** Hosts with an open finding for any of these CVEs (as the advisory id or an alias). */
  async hostsWithOpenFindingsFor(cves: readonly string[]): Promise<string[]> {
    if (cves.length === 0) return [];
    const rows = await this.db
      .selectFrom('findings_states')
      .select('host_id')
      .distinct()
      .where('state', '=', 'open')
      .where('detail_id', 'in', (eb) =>
        eb
          .selectFrom('findings_details')
          .select('id')
          .where((w) => w.or([w('advisory_id', '=', sql<string>`any(${[...cves]}::text[])`), w(sql`aliases`, '?|', sql`${[...cves]}::text[]`)])),
      )
      .execute();
    return rows.map((r) => r.host_id);
  }

  /** Open findings per priority, for one host or the fleet. */
  async openCounts(hostId?: string): Promise<Record<Priority, number>> {
    let q = this.joined().select(['d.priority', (eb) => eb.fn.countAll<string>().as('n')]).where('s.state', '=', 'open');
    if (hostId) q = q.where('s.host_id', '=', hostId);
    const rows = await q.groupBy('d.priority').execute();
    const counts: Record<Priority, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };
    for (const r of rows) counts[r.priority as Priority] = Number(r.n);
    return counts;
  }

  /** Hosts' findings joined with what they show. */
  private joined() {
    return this.db.selectFrom('findings_states as s').innerJoin('findings_details as d', 'd.id', 's.detail_id');
  }
}

/** The filter's host terms (one host, some hosts, all but some) on `column`, as one SQL condition. */
function hostsOf(filter: FindingFilter, column: RawBuilder<unknown>): RawBuilder<SqlBool> {
  const terms = [sql`true`];
  if (filter.hostId !== undefined) terms.push(sql`${column} = ${filter.hostId}`);
  if (filter.hostIds !== undefined) terms.push(sql`${column} = any(${[...filter.hostIds]}::uuid[])`);
  if (filter.excludingHosts?.length) terms.push(sql`${column} <> all(${[...filter.excludingHosts]}::uuid[])`);
  return sql<SqlBool>`${sql.join(terms, sql` and `)}`;
}

/** Whether a filter narrows by nothing a finding's detail says (so its total can be counted without the details). */
function byHostAndStateOnly(f: FindingFilter): boolean {
  return !f.priorities?.length && f.kev === undefined && !f.types?.length && f.package === undefined && f.advisory === undefined && f.seenBefore === undefined && f.emergency === undefined && !f.excluding?.length;
}

/** Appends the numbers of a comma-separated list of non-negative integers to `out`, without a string per number. */
function readPositions(list: string, out: number[]): number[] {
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list.charCodeAt(i);
    if (c === 44) {
      out.push(n);
      n = 0;
    } else n = n * 10 + (c - 48);
  }
  if (list.length > 0) out.push(n);
  return out;
}

/**
 * The first finding of each key, in order (an assessment may name one finding twice). Remembered per array (assessments are never changed once made),
 * so the upload's reply counting them after `syncHosts` does not build a second set of keys.
 */
function distinctByKey(findings: readonly AssessedFinding[]): readonly AssessedFinding[] {
  let distinct = distinctOf.get(findings);
  if (distinct === undefined) {
    const byKey = new Map<string, AssessedFinding>();
    for (const f of findings) if (!byKey.has(f.key)) byKey.set(f.key, f);
    distinct = byKey.size === findings.length ? findings : [...byKey.values()];
    distinctOf.set(findings, distinct);
  }
  return distinct;
}

const distinctOf = new WeakMap<readonly AssessedFinding[], readonly AssessedFinding[]>();

/** Open findings per priority among fresh findings (what `syncHost` leaves open), without a query. */
export function countOpen(findings: readonly AssessedFinding[]): Record<Priority, number> {
  const counts: Record<Priority, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };
  for (const f of distinctByKey(findings)) counts[f.priority]++;
  return counts;
}

/**
 * The emergency criteria as SQL, each never null (so NOT works). Scores compare as `real`, the
 * column's type, so a threshold equal to a stored score is met here as in `findingLane`.
 */
function emergencyCriteria(eb: ExpressionBuilder<Joined, 's' | 'd'>, lane: EmergencyFilter): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (lane.kev) out.push(eb('d.kev', '=', true));
  if (lane.cvssAtLeast !== null) out.push(eb(sql`coalesce(d.cvss, 0)`, '>=', sql`${lane.cvssAtLeast}::real`));
  if (lane.epssAtLeast !== null) {
    const epss = eb(sql`coalesce(d.epss, 0)`, '>=', sql`${lane.epssAtLeast}::real`);
    if (lane.epssHostIds === 'all') out.push(epss);
    else if (lane.epssHostIds.length > 0) out.push(eb.and([epss, eb('s.host_id', '=', sql<string>`any(${[...lane.epssHostIds]}::uuid[])`)]));
  }
  return out;
}

/** The findings any of `covers` describes, as one SQL condition. */
function covered(eb: ExpressionBuilder<Joined, 's' | 'd'>, covers: readonly FindingCover[]): Expression<SqlBool> {
  return eb.or(
    covers
      .filter((c) => c.hostIds.length > 0)
      .map((c) =>
        eb.and([
          eb('s.host_id', '=', sql<string>`any(${[...c.hostIds]}::uuid[])`),
          ...(c.advisory !== undefined ? [eb.or([eb('d.advisory_id', '=', c.advisory), eb(sql`d.aliases`, '@>', sql`${JSON.stringify([c.advisory])}::jsonb`)])] : []),
          ...(c.package !== undefined ? [eb('d.package', '=', c.package)] : []),
        ]),
      ),
  );
}

function toStored(r: Omit<DetailRow, 'id'> & Pick<StateRow, 'id' | 'host_id' | 'state' | 'first_seen' | 'fixed_at' | 'updated_at'>): StoredFinding {
  return {
    id: r.id,
    hostId: r.host_id,
    advisory: r.advisory_id,
    aliases: r.aliases,
    type: r.type as StoredFinding['type'],
    ecosystem: r.ecosystem,
    package: r.package,
    installed: r.installed,
    fixed: r.fixed,
    severity: r.severity as StoredFinding['severity'],
    cvss: r.cvss,
    kev: r.kev,
    epss: r.epss,
    priority: r.priority as Priority,
    reasons: r.reasons,
    summary: r.summary,
    published: r.published,
    state: r.state,
    firstSeen: r.first_seen,
    fixedAt: r.fixed_at,
    updatedAt: r.updated_at,
  };
}
