import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { FindingsStore, detailKeyOf, findingKey, migrateToLatest, type AssessedFinding, type FindingState, type InstalledNow } from '@patchwise/core';
import { tablesOf } from '../src/database.js';
import { openDatabaseAt, openTestDatabase, postgresAvailable } from './support/test-database.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const ECOSYSTEM = 'AlmaLinux:9';
/** Where set entries' ids start (migration 0033); row ids stay below. */
const FIRST_SET_ID = 2n ** 50n;

/** Finding `k` of the pool with its installed version at `variant` (another variant: another detail). */
function finding(k: number, variant: number): AssessedFinding {
  const report = {
    advisory: `ALSA-2026:${String(k).padStart(4, '0')}`,
    aliases: [`CVE-2026-${k}`],
    type: 'security' as const,
    package: `pkg-${k}`,
    installed: `1.${variant}-1.el9`,
    fixed: '9.0-1.el9',
    severity: 'high' as const,
    cvss: 7.5,
    kev: false,
    epss: null,
    priority: 'P2' as const,
    reasons: ['high severity'],
    summary: `Important: pkg-${k}`,
    published: null,
  };
  return { ...report, ecosystem: ECOSYSTEM, key: findingKey({ ...report, ecosystem: ECOSYSTEM }), detail: detailKeyOf(report, ECOSYSTEM) };
}

/** A host that still has exactly these package versions (so a finding on one that left is retracted, not fixed). */
const installed = (kept: ReadonlySet<string>): InstalledNow => ({ has: (ecosystem, name, version) => ecosystem === ECOSYSTEM && kept.has(`${name}@${version}`) });

/** What the findings of one host must be, kept by the rules `syncHost` documents. */
interface Expected {
  id?: string;
  state: FindingState;
  installed: string;
  firstSeen: number;
  fixedAt: number | null;
}

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(kinds)('a host\'s first findings stored as one set on %s', (kind) => {
  it('stores the first findings in one row, numbered from the set\'s ids, and later changes as rows that keep those ids', async () => {
    const handle = await openTestDatabase(kind);
    try {
      let now = new Date('2026-12-01T00:00:00Z');
      const store = new FindingsStore(tablesOf(handle.db), () => now);
      const host = '5d0c7c55-3f4e-4a43-9c39-6c8f0c0a0101';
      const count = async (table: string) => Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(handle.db)).rows[0]?.n);

      expect(await store.syncHost(host, [finding(1, 0), finding(2, 0), finding(3, 0), finding(1, 1)], installed(new Set()))).toEqual({ opened: 3, updated: 0, fixed: 0, retracted: 0 });
      expect([await count('findings_sets'), await count('findings_rows'), await count('findings_states')]).toEqual([1, 0, 3]);
      const first = (await store.list({ hostId: host }, { limit: 10, offset: 0, sort: 'package' })).findings;
      expect(first.map((f) => [f.package, f.installed, f.state, f.firstSeen.toISOString()])).toEqual([1, 2, 3].map((k) => [`pkg-${k}`, '1.0-1.el9', 'open', now.toISOString()]));
      expect(first.every((f) => BigInt(f.id) >= FIRST_SET_ID)).toBe(true);
      for (const f of first) expect(await store.get(f.id)).toEqual(f);

      // pkg-1 changes version (a new detail), pkg-2 is upgraded away (fixed), pkg-3 stays, pkg-4 is new.
      now = new Date('2026-12-02T00:00:00Z');
      expect(await store.syncHost(host, [finding(1, 1), finding(3, 0), finding(4, 0)], installed(new Set()))).toEqual({ opened: 1, updated: 1, fixed: 1, retracted: 0 });
      expect([await count('findings_sets'), await count('findings_rows'), await count('findings_states')]).toEqual([1, 3, 4]);
      const later = (await store.list({ hostId: host, state: 'open' }, { limit: 10, offset: 0, sort: 'package' })).findings;
      const idOf = (pkg: string) => first.find((f) => f.package === pkg)?.id;
      expect(later.map((f) => [f.package, f.installed, f.id === idOf(f.package), f.firstSeen.toISOString()])).toEqual([
        ['pkg-1', '1.1-1.el9', true, '2026-12-01T00:00:00.000Z'],
        ['pkg-3', '1.0-1.el9', true, '2026-12-01T00:00:00.000Z'],
        ['pkg-4', '1.0-1.el9', false, '2026-12-02T00:00:00.000Z'],
      ]);
      expect(BigInt(later[2]?.id ?? '0')).toBeLessThan(FIRST_SET_ID);
      const fixed = (await store.list({ hostId: host, state: 'fixed' }, { limit: 10, offset: 0, sort: 'package' })).findings;
      expect(fixed.map((f) => [f.package, f.id === idOf('pkg-2'), f.firstSeen.toISOString(), f.fixedAt?.toISOString()])).toEqual([['pkg-2', true, '2026-12-01T00:00:00.000Z', now.toISOString()]]);
      for (const f of [...later, ...fixed]) expect(await store.get(f.id)).toEqual(f);
      // An id inside a set's block that no entry has, and one past every block, name nothing.
      expect(await store.get(String(BigInt(idOf('pkg-3') as string) + 5n))).toBeUndefined();
      expect(await store.get(String(FIRST_SET_ID * 1000n))).toBeUndefined();
      expect(await store.openCounts(host)).toEqual({ P1: 0, P2: 3, P3: 0, P4: 0 });
    } finally {
      await handle.close();
    }
  });

  it('keeps every finding\'s lifecycle and id as one row each would, over random assessments of several hosts', async () => {
    const handle = await openTestDatabase(kind);
    try {
      let now = new Date('2026-12-01T00:00:00Z');
      const store = new FindingsStore(tablesOf(handle.db), () => now);
      const hosts = ['5d0c7c55-3f4e-4a43-9c39-6c8f0c0a0201', '5d0c7c55-3f4e-4a43-9c39-6c8f0c0a0202', '5d0c7c55-3f4e-4a43-9c39-6c8f0c0a0203'];
      const expected = new Map(hosts.map((h) => [h, new Map<string, Expected>()]));
      const next = random(20261207);
      const page = { limit: 1, offset: 0, sort: 'priority' as const };
      for (let step = 0; step < 60; step++) {
        now = new Date(now.getTime() + 60_000);
        // Several hosts at once, as a batch of uploads is written.
        const batch = hosts.filter(() => next() < 0.6);
        const syncs = batch.map((hostId) => {
          const fresh = Array.from({ length: 8 }, (_, k) => k).flatMap((k) => (next() < 0.55 ? [finding(k, Math.floor(next() * 3))] : []));
          const kept = new Set(Array.from({ length: 8 }, (_, k) => `pkg-${k}@1.${Math.floor(next() * 3)}-1.el9`));
          return { hostId, findings: fresh, installed: installed(kept), kept };
        });
        const changes = await store.syncHosts(syncs);
        syncs.forEach((s, i) => {
          const counts = { opened: 0, updated: 0, fixed: 0, retracted: 0 };
          const model = expected.get(s.hostId) as Map<string, Expected>;
          const fresh = new Map(s.findings.map((f) => [f.package, f]));
          for (const [pkg, f] of fresh) {
            const had = model.get(pkg);
            if (!had) {
              model.set(pkg, { state: 'open', installed: f.installed, firstSeen: now.getTime(), fixedAt: null });
              counts.opened++;
            } else if (had.state !== 'open') {
              Object.assign(had, { state: 'open', installed: f.installed, firstSeen: now.getTime(), fixedAt: null });
              counts.updated++;
            } else if (had.installed !== f.installed) {
              had.installed = f.installed;
              counts.updated++;
            }
          }
          for (const [pkg, had] of model) {
            if (had.state !== 'open' || fresh.has(pkg)) continue;
            const retracted = s.kept.has(`${pkg}@${had.installed}`);
            Object.assign(had, { state: retracted ? 'retracted' : 'fixed', fixedAt: retracted ? null : now.getTime() });
            counts[retracted ? 'retracted' : 'fixed']++;
          }
          expect(changes[i], `step ${step}, host ${s.hostId}`).toEqual(counts);
        });
        for (const hostId of batch) {
          const model = expected.get(hostId) as Map<string, Expected>;
          const stored = (await store.list({ hostId, state: 'open' }, { limit: 100, offset: 0, sort: 'package' })).findings;
          for (const state of ['fixed', 'retracted'] as const) stored.push(...(await store.list({ hostId, state }, { limit: 100, offset: 0, sort: 'package' })).findings);
          expect(stored.length, `step ${step}, host ${hostId}`).toBe(model.size);
          // Totals: counted from rows and sets when only host and state narrow the list, and
          // through the details otherwise (every finding here is a security one): both agree.
          for (const state of ['open', 'fixed', 'retracted'] as const) {
            const want = [...model.values()].filter((e) => e.state === state).length;
            expect((await store.list({ hostId, state }, page)).total, `step ${step}, ${state}`).toBe(want);
            expect((await store.list({ hostId, state, types: ['security'] }, page)).total).toBe(want);
          }
          for (const f of stored) {
            const want = model.get(f.package) as Expected;
            // A finding keeps its id through every change; the first sighting names it.
            want.id ??= f.id;
            expect([f.id, f.state, f.installed, f.firstSeen.getTime(), f.fixedAt?.getTime() ?? null], `step ${step}, ${hostId} ${f.package}`).toEqual([want.id, want.state, want.installed, want.firstSeen, want.fixedAt]);
          }
        }
      }
      const open = hosts.map((h) => [...(expected.get(h) as Map<string, Expected>).values()].filter((e) => e.state === 'open').length);
      const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
      expect((await store.list({}, page)).total).toBe(sum(open));
      expect((await store.list({ excludingHosts: [hosts[0] as string] }, page)).total).toBe(sum(open.slice(1)));
      expect((await store.list({ hostIds: hosts.slice(1) }, page)).total).toBe(sum(open.slice(1)));
      expect((await store.list({ hostIds: [] }, page)).total).toBe(0);
      // Every finding is found by its id, set entry or row.
      for (const hostId of hosts) {
        for (const want of (expected.get(hostId) as Map<string, Expected>).values()) expect((await store.get(want.id as string))?.hostId).toBe(hostId);
      }
      const sets = Number((await sql<{ n: string }>`select count(*) as n from findings_sets`.execute(handle.db)).rows[0]?.n);
      expect(sets).toBe(hosts.length);
    } finally {
      await handle.close();
    }
  });
});

describe.each(kinds)('open findings for judgement on %s', (kind) => {
  it('groups the open findings of the hosts asked about, each host by its position in the list', async () => {
    const handle = await openTestDatabase(kind);
    try {
      const now = new Date('2026-12-01T00:00:00Z');
      const store = new FindingsStore(tablesOf(handle.db), () => now);
      const hosts = Array.from({ length: 14 }, (_, i) => `5d0c7c55-3f4e-4a43-9c39-6c8f0c0a${String(400 + i).padStart(4, '0')}`);
      // Every host has pkg-1; the even ones pkg-2 at another version than the odd ones (another
      // detail, alike in all a decision reads: one group); host 13 has pkg-3 too.
      await store.syncHosts(hosts.map((hostId, i) => ({ hostId, findings: [finding(1, 0), finding(2, i % 2), ...(i === 13 ? [finding(3, 0)] : [])], installed: installed(new Set()) })));
      // Asked about in another order, and without host 0.
      const asked = [...hosts.slice(1)].reverse();
      const groups = await store.openForJudgement(asked);
      const byPackage = new Map(groups.map((g) => [g.package, g.hosts.map((p) => asked[p]).sort()]));
      expect(groups).toHaveLength(3);
      expect(byPackage.get('pkg-1')).toEqual(hosts.slice(1));
      expect(byPackage.get('pkg-2')).toEqual(hosts.slice(1));
      expect(byPackage.get('pkg-3')).toEqual([hosts[13]]);
      expect(await store.openForJudgement([])).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});

describe.each(kinds)('migration 0033 on %s', (kind) => {
  it('keeps stored findings as rows with their ids, which the next assessment continues, and gives new hosts sets', async () => {
    const { handle, dispose } = await openDatabaseAt(kind, '0032-nvd-watermark');
    try {
      const old = '5d0c7c55-3f4e-4a43-9c39-6c8f0c0a0301';
      const seen = new Date('2026-01-05T00:00:00Z');
      const f = finding(1, 0);
      await sql`
        insert into findings_details (id, advisory_id, ecosystem, package, installed, fixed, type, severity, cvss, kev, epss, priority, reasons, aliases, summary, published)
        values (${f.detail}, ${f.advisory}, ${ECOSYSTEM}, ${f.package}, ${f.installed}, ${f.fixed}, ${f.type}, ${f.severity}, ${f.cvss}, ${f.kev}, ${f.epss}, ${f.priority},
          ${JSON.stringify(f.reasons)}, ${JSON.stringify(f.aliases)}, ${f.summary}, null)`.execute(handle.db);
      await sql`
        insert into findings_states (host_id, key, detail_id, state, first_seen, fixed_at, updated_at)
        values (${old}, ${f.key}, ${f.detail}, 'open', ${seen}, null, ${seen})`.execute(handle.db);
      const id = (await sql<{ id: string }>`select id from findings_states`.execute(handle.db)).rows[0]?.id;

      await migrateToLatest(handle.db);
      const now = new Date('2026-12-01T00:00:00Z');
      const store = new FindingsStore(tablesOf(handle.db), () => now);
      expect((await store.get(id as string))?.firstSeen.toISOString()).toBe(seen.toISOString());
      // The old host keeps its row (fixed now, same id) and gains a row, not a set.
      expect(await store.syncHost(old, [finding(2, 0)], installed(new Set()))).toEqual({ opened: 1, updated: 0, fixed: 1, retracted: 0 });
      expect(await store.get(id as string)).toMatchObject({ id, state: 'fixed', fixedAt: now });
      const fresh = '5d0c7c55-3f4e-4a43-9c39-6c8f0c0a0302';
      await store.syncHost(fresh, [finding(1, 0), finding(2, 0)], installed(new Set()));
      const rows = (await sql<{ host_id: string; n: string }>`select host_id, count(*) as n from findings_rows group by host_id`.execute(handle.db)).rows;
      expect(rows.map((r) => [r.host_id, Number(r.n)])).toEqual([[old, 2]]);
      const sets = (await sql<{ host_id: string; first_id: string }>`select host_id, first_id from findings_sets`.execute(handle.db)).rows;
      expect(sets.map((s) => [s.host_id, BigInt(s.first_id) >= FIRST_SET_ID])).toEqual([[fresh, true]]);
    } finally {
      await dispose();
    }
  });
});
