import { sql, type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { Priority } from '../risk/index.js';
import { findingKey, type AssessedFinding, type FindingState, type StoredFinding } from './finding-row.js';
import type { FindingsTables } from './tables.js';

export interface FindingFilter {
  readonly hostId?: string | undefined;
  readonly hostIds?: readonly string[] | undefined;
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
  readonly hostIds: readonly string[];
}

/** What one host's re-assessment changed. */
export interface FindingChanges {
  readonly opened: number;
  readonly updated: number;
  readonly fixed: number;
}

type Row = Selectable<FindingsTables['findings_findings']>;

// Columns that can change while a finding stays the same finding (new fix, new KEV listing, …).
const MUTABLE = ['installed', 'fixed', 'type', 'severity', 'cvss', 'kev', 'epss', 'priority', 'summary'] as const;
const WRITE_CHUNK = 5000;

/**
 * Stored findings with their lifecycle. `syncHost` makes the stored open set equal to a fresh
 * assessment; run it inside the same transaction as the inventory change, so readers see the
 * old picture or the new one, never an empty or half-written one.
 */
export class FindingsStore {
  constructor(
    private readonly db: Kysely<FindingsTables>,
    private readonly clock: () => Date,
  ) {}

  async syncHost(hostId: string, findings: readonly AssessedFinding[]): Promise<FindingChanges> {
    const now = this.clock();
    const existing = await this.db.selectFrom('findings_findings').selectAll().where('host_id', '=', hostId).execute();
    const byKey = new Map(existing.map((r) => [findingKey({ advisory: r.advisory_id, ecosystem: r.ecosystem, package: r.package }), r]));
    const inserts: AssessedFinding[] = [];
    const updates: { row: Row; finding: AssessedFinding; reopened: boolean }[] = [];
    const seen = new Set<string>();
    for (const f of findings) {
      const key = findingKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      const row = byKey.get(key);
      if (!row) {
        inserts.push(f);
        continue;
      }
      const reopened = row.state === 'fixed';
      if (reopened || changed(row, f)) updates.push({ row, finding: f, reopened });
    }
    // Arrays bound as one parameter per column (unnest): a statement's cost no longer grows with
    // its parameter count, and a host's 500 findings are one round trip, not 500.
    for (let i = 0; i < updates.length; i += WRITE_CHUNK) {
      const chunk = updates.slice(i, i + WRITE_CHUNK);
      const c = columnArrays(chunk.map((u) => u.finding));
      await sql`
        update findings_findings as f set
          installed = u.installed, fixed = u.fixed, type = u.type, severity = u.severity, cvss = u.cvss, kev = u.kev,
          epss = u.epss, priority = u.priority, reasons = u.reasons::jsonb, aliases = u.aliases::jsonb, summary = u.summary,
          published = u.published, state = 'open', fixed_at = null, updated_at = ${now},
          first_seen = case when u.reopened then ${now} else f.first_seen end
        from unnest(
          ${chunk.map((u) => u.row.id)}::bigint[], ${chunk.map((u) => u.reopened)}::boolean[], ${c.installed}::text[], ${c.fixed}::text[],
          ${c.type}::text[], ${c.severity}::text[], ${c.cvss}::real[], ${c.kev}::boolean[], ${c.epss}::real[], ${c.priority}::text[],
          ${c.reasons}::text[], ${c.aliases}::text[], ${c.summary}::text[], ${c.published}::timestamptz[]
        ) as u(id, reopened, installed, fixed, type, severity, cvss, kev, epss, priority, reasons, aliases, summary, published)
        where f.id = u.id`.execute(this.db);
    }
    for (let i = 0; i < inserts.length; i += WRITE_CHUNK) {
      const chunk = inserts.slice(i, i + WRITE_CHUNK);
      const c = columnArrays(chunk);
      await sql`
        insert into findings_findings (host_id, advisory_id, ecosystem, package, installed, fixed, type, severity, cvss, kev, epss,
          priority, reasons, aliases, summary, published, state, first_seen, fixed_at, updated_at)
        select ${hostId}::uuid, u.advisory_id, u.ecosystem, u.package, u.installed, u.fixed, u.type, u.severity, u.cvss, u.kev, u.epss,
          u.priority, u.reasons::jsonb, u.aliases::jsonb, u.summary, u.published, 'open', ${now}, null, ${now}
        from unnest(
          ${chunk.map((f) => f.advisory)}::text[], ${chunk.map((f) => f.ecosystem)}::text[], ${chunk.map((f) => f.package)}::text[],
          ${c.installed}::text[], ${c.fixed}::text[], ${c.type}::text[], ${c.severity}::text[], ${c.cvss}::real[], ${c.kev}::boolean[],
          ${c.epss}::real[], ${c.priority}::text[], ${c.reasons}::text[], ${c.aliases}::text[], ${c.summary}::text[], ${c.published}::timestamptz[]
        ) as u(advisory_id, ecosystem, package, installed, fixed, type, severity, cvss, kev, epss, priority, reasons, aliases, summary, published)`.execute(this.db);
    }
    const gone = existing.filter((r) => r.state === 'open' && !seen.has(findingKey({ advisory: r.advisory_id, ecosystem: r.ecosystem, package: r.package })));
    if (gone.length > 0) {
      await this.db
        .updateTable('findings_findings')
        .set({ state: 'fixed', fixed_at: now, updated_at: now })
        .where('id', 'in', gone.map((r) => r.id))
        .execute();
    }
    return { opened: inserts.length, updated: updates.length, fixed: gone.length };
  }

  async list(filter: FindingFilter, page: FindingPage): Promise<{ total: number; findings: StoredFinding[] }> {
    let q = this.db.selectFrom('findings_findings');
    if (filter.hostId !== undefined) q = q.where('host_id', '=', filter.hostId);
    if (filter.hostIds !== undefined) q = filter.hostIds.length === 0 ? q.where(sql<boolean>`false`) : q.where('host_id', 'in', [...filter.hostIds]);
    q = q.where('state', '=', filter.state ?? 'open');
    if (filter.priorities?.length) q = q.where('priority', 'in', [...filter.priorities]);
    if (filter.kev !== undefined) q = q.where('kev', '=', filter.kev);
    if (filter.types?.length) q = q.where('type', 'in', [...filter.types]);
    if (filter.package !== undefined) q = q.where('package', '=', filter.package);
    if (filter.seenBefore !== undefined) {
      const terms = filter.seenBefore.filter((t) => t.hostIds.length > 0);
      const start = filter.clockFrom === 'published' ? sql<Date>`coalesce(published, first_seen)` : sql<Date>`first_seen`;
      const restarts = filter.restarts ?? [];
      q = q.where((eb) =>
        eb.or(
          terms.map((t) => {
            // A restart at or after the cutoff moved this finding's clock past it.
            const later = restarts.filter((r) => r.at.getTime() >= t.before.getTime());
            return eb.and([
              eb('priority', '=', t.priority),
              eb(start, '<', t.before),
              eb('host_id', '=', sql<string>`any(${[...t.hostIds]}::uuid[])`),
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
        const inLane = criteria.length > 0 ? eb.and([eb('type', '=', 'security'), eb.or(criteria)]) : sql<SqlBool>`false`;
        return lane.in ? inLane : eb.not(inLane);
      });
    }
    if (filter.excluding?.length) q = q.where((eb) => eb.not(covered(eb, filter.excluding ?? [])));
    if (filter.advisory !== undefined) {
      const id = filter.advisory;
      q = q.where((eb) => eb.or([eb('advisory_id', '=', id), eb(sql`aliases`, '@>', sql`${JSON.stringify([id])}::jsonb`)]));
    }
    const { total } = await q.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
    let rows = q.selectAll();
    switch (page.sort) {
      case 'priority':
        rows = rows.orderBy('priority').orderBy('epss', (o) => o.desc().nullsLast()).orderBy('id');
        break;
      case 'first_seen':
        rows = rows.orderBy('first_seen').orderBy('id');
        break;
      case 'package':
        rows = rows.orderBy('package').orderBy('priority').orderBy('id');
        break;
      case 'advisory':
        rows = rows.orderBy('advisory_id').orderBy('id');
        break;
    }
    const found = await rows.limit(page.limit).offset(page.offset).execute();
    return { total: Number(total), findings: found.map(toStored) };
  }

  async get(id: string): Promise<StoredFinding | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const row = await this.db.selectFrom('findings_findings').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  /**
   * Open findings, grouped by what a baseline decides on, each with the hosts carrying it: the
   * hosts of one image share one row, so judging a fleet costs its distinct findings, not its
   * findings. `excluding` leaves out findings under exceptions in force.
   */
  async openForJudgement(excluding: readonly FindingCover[] = []): Promise<JudgedFinding[]> {
    let q = this.db
      .selectFrom('findings_findings')
      .select([
        'advisory_id',
        'aliases',
        'type',
        'ecosystem',
        'package',
        'fixed',
        'severity',
        'priority',
        'kev',
        'published',
        (eb) => eb.fn.min('first_seen').as('first_seen'),
        sql<string[]>`array_agg(host_id::text)`.as('host_ids'),
      ])
      .where('state', '=', 'open');
    if (excluding.length > 0) q = q.where((eb) => eb.not(covered(eb, excluding)));
    // First seen matters only without a publication date (a rule then counts from it), so only
    // those findings stay apart per first-seen day.
    const rows = await q
      .groupBy(['advisory_id', 'aliases', 'type', 'ecosystem', 'package', 'fixed', 'severity', 'priority', 'kev', 'published', sql`case when published is null then first_seen end`])
      .execute();
    return rows.map((r) => ({
      hostIds: r.host_ids,
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
      firstSeen: new Date(r.first_seen as unknown as string | Date),
    }));
  }

  /** Hosts with an open finding for any of these CVEs (as the advisory id or an alias). */
  async hostsWithOpenFindingsFor(cves: readonly string[]): Promise<string[]> {
    if (cves.length === 0) return [];
    const rows = await this.db
      .selectFrom('findings_findings')
      .select('host_id')
      .distinct()
      .where('state', '=', 'open')
      .where((eb) => eb.or([eb('advisory_id', '=', sql<string>`any(${[...cves]}::text[])`), eb(sql`aliases`, '?|', sql`${[...cves]}::text[]`)]))
      .execute();
    return rows.map((r) => r.host_id);
  }

  /** Open findings per priority, for one host or the fleet. */
  async openCounts(hostId?: string): Promise<Record<Priority, number>> {
    let q = this.db.selectFrom('findings_findings').select(['priority', (eb) => eb.fn.countAll<string>().as('n')]).where('state', '=', 'open');
    if (hostId) q = q.where('host_id', '=', hostId);
    const rows = await q.groupBy('priority').execute();
    const counts: Record<Priority, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };
    for (const r of rows) counts[r.priority as Priority] = Number(r.n);
    return counts;
  }
}

/**
 * The emergency criteria as SQL, each never null (so NOT works). Scores compare as `real`, the
 * column's type, so a threshold equal to a stored score is met here as in `findingLane`.
 */
function emergencyCriteria(eb: ExpressionBuilder<FindingsTables, 'findings_findings'>, lane: EmergencyFilter): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (lane.kev) out.push(eb('kev', '=', true));
  if (lane.cvssAtLeast !== null) out.push(eb(sql`coalesce(cvss, 0)`, '>=', sql`${lane.cvssAtLeast}::real`));
  if (lane.epssAtLeast !== null) {
    const epss = eb(sql`coalesce(epss, 0)`, '>=', sql`${lane.epssAtLeast}::real`);
    if (lane.epssHostIds === 'all') out.push(epss);
    else if (lane.epssHostIds.length > 0) out.push(eb.and([epss, eb('host_id', '=', sql<string>`any(${[...lane.epssHostIds]}::uuid[])`)]));
  }
  return out;
}

/** The findings any of `covers` describes, as one SQL condition. */
function covered(eb: ExpressionBuilder<FindingsTables, 'findings_findings'>, covers: readonly FindingCover[]): Expression<SqlBool> {
  return eb.or(
    covers
      .filter((c) => c.hostIds.length > 0)
      .map((c) =>
        eb.and([
          eb('host_id', '=', sql<string>`any(${[...c.hostIds]}::uuid[])`),
          ...(c.advisory !== undefined ? [eb.or([eb('advisory_id', '=', c.advisory), eb(sql`aliases`, '@>', sql`${JSON.stringify([c.advisory])}::jsonb`)])] : []),
          ...(c.package !== undefined ? [eb('package', '=', c.package)] : []),
        ]),
      ),
  );
}

function mutableColumns(f: AssessedFinding) {
  return {
    installed: f.installed,
    fixed: f.fixed,
    type: f.type,
    severity: f.severity,
    cvss: f.cvss,
    kev: f.kev,
    epss: f.epss,
    priority: f.priority,
    reasons: JSON.stringify(f.reasons),
    aliases: JSON.stringify(f.aliases),
    summary: f.summary,
  };
}

/** The mutable columns of many findings, one array per column, for `unnest`. */
function columnArrays(findings: readonly AssessedFinding[]) {
  const cols = findings.map(mutableColumns);
  return {
    installed: cols.map((c) => c.installed),
    fixed: cols.map((c) => c.fixed),
    type: cols.map((c) => c.type),
    severity: cols.map((c) => c.severity),
    cvss: cols.map((c) => c.cvss),
    kev: cols.map((c) => c.kev),
    epss: cols.map((c) => c.epss),
    priority: cols.map((c) => c.priority),
    reasons: cols.map((c) => c.reasons),
    aliases: cols.map((c) => c.aliases),
    summary: cols.map((c) => c.summary),
    // ISO text, not Date objects: both drivers send text arrays the same way.
    published: findings.map((f) => f.published?.toISOString() ?? null),
  };
}

function changed(row: Row, f: AssessedFinding): boolean {
  const next = mutableColumns(f);
  for (const c of MUTABLE) {
    const a = row[c];
    const b = next[c];
    // PostgreSQL `real` rounds to float4; compare at that precision.
    if (typeof a === 'number' && typeof b === 'number' ? Math.fround(a) !== Math.fround(b) : a !== b) return true;
  }
  if ((row.published?.getTime() ?? null) !== (f.published?.getTime() ?? null)) return true;
  return JSON.stringify(row.reasons) !== next.reasons || JSON.stringify(row.aliases) !== next.aliases;
}

function toStored(r: Row): StoredFinding {
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
