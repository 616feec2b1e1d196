import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { FindingsStore, HostStore, InstalledTargets, detailKeyOf, findingKey, migrateToLatest, type AssessedFinding, type DatabaseHandle } from '@patchwise/core';
import { tablesOf, type Database } from '../src/database.js';
import { almaAdvisory, almaFacts, almaInventory, kevCatalog } from './support/fixtures.js';
import { openDatabaseAt, postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');
const count = async (db: DatabaseHandle<Database>, table: string) => Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db.db)).rows[0]?.n);

describe.each(kinds)('shared finding details on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  let t: TestApp;
  eachTestApp(kind, (app, handle) => {
    t = app;
    db = handle;
  });

  async function importJson(filename: string, value: unknown) {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/feeds/import?filename=${filename}`, headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify(value)) });
    expect(res.statusCode, res.body).toBe(200);
  }

  it('stores what hosts share once, keeps each host its own lifecycle, and answers uploads with the stored counts', async () => {
    await importJson('a.json', almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-28.el9', { cve: 'CVE-2026-0001' }));
    await importJson('b.json', almaAdvisory('ALSA-2026:0002', 'curl', '7.76.1-30.el9', { cve: 'CVE-2026-0002' }));
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-27.el9' }, { name: 'curl', version: '7.76.1-29.el9' }]);
    const agents: TestAgent[] = [];
    for (let i = 0; i < 3; i++) {
      const agent = new TestAgent(t);
      expect((await agent.enroll(token, almaFacts(`m-${i}`, `web-${i}`))).statusCode).toBe(201);
      const res = await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
      expect(res.statusCode, res.body).toBe(200);
      const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${agent.hostId}`, headers: admin(t) })).json<{ openFindings: unknown }>();
      expect(res.json<{ open: unknown }>().open).toEqual(detail.openFindings);
      agents.push(agent);
    }
    expect(await count(db, 'findings_states')).toBe(6);
    expect(await count(db, 'findings_details')).toBe(2); // three hosts, two distinct findings
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/findings?sort=first_seen&limit=10', headers: admin(t) })).json<{ findings: { id: string; firstSeen: string; kev: boolean }[] }>().findings;

    // A KEV listing changes what two of the findings show: they move to a new shared detail,
    // stay the same findings (ids, first seen), and the old detail stays for history.
    t.clock.advance(3_600_000);
    await importJson('kev.json', kevCatalog(['CVE-2026-0001']));
    const after = (await t.app.inject({ method: 'GET', url: '/api/v1/findings?sort=first_seen&limit=10', headers: admin(t) })).json<{ findings: { id: string; firstSeen: string; kev: boolean; advisory: string }[] }>().findings;
    expect(after.map((f) => [f.id, f.firstSeen])).toEqual(before.map((f) => [f.id, f.firstSeen]));
    expect(after.filter((f) => f.kev).map((f) => f.advisory)).toEqual(['ALSA-2026:0001', 'ALSA-2026:0001', 'ALSA-2026:0001']);
    expect(await count(db, 'findings_details')).toBe(3);

    // One host updates curl: only its curl finding is fixed.
    const patched = almaInventory([{ name: 'openssl', version: '1:3.0.7-27.el9' }, { name: 'curl', version: '7.76.1-30.el9' }]);
    const res = await (agents[0] as TestAgent).send('PUT', '/api/v1/agent/inventory', { digest: digestOf(patched), inventory: patched });
    expect(res.json()).toMatchObject({ changes: { opened: 0, updated: 0, fixed: 1 }, open: { P1: 1 } }); // the KEV-listed openssl
    const stored = (await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${(agents[0] as TestAgent).hostId}`, headers: admin(t) })).json<{ openFindings: unknown }>();
    expect(res.json<{ open: unknown }>().open).toEqual(stored.openFindings);
    const fixed = (await t.app.inject({ method: 'GET', url: '/api/v1/findings?state=fixed', headers: admin(t) })).json<{ findings: { hostId: string; advisory: string }[] }>().findings;
    expect(fixed.map((f) => [f.hostId, f.advisory])).toEqual([[(agents[0] as TestAgent).hostId, 'ALSA-2026:0002']]);
  });
});

describe.each(kinds)('migration 0009 on %s', (kind) => {
  it('moves stored findings over with their ids and lifecycles, so the next assessment continues them', async () => {
    const { handle, dispose } = await openDatabaseAt(kind, '0008-baselines');
    try {
      const hostId = '5d0c7c55-3f4e-4a43-9c39-6c8f0c0a0001';
      const packages = [{ ecosystem: 'AlmaLinux:9', name: 'openssl', version: '1:3.0.7-27.el9', arch: 'x86_64' }];
      await sql`insert into hosts_snapshots (id, packages, package_count, created_at, names) values ('s1', ${JSON.stringify(packages)}::jsonb, 1, now(), '{openssl}')`.execute(handle.db);
      await sql`insert into hosts_hosts (id, name, enrolled_at, snapshot_id, inventory_at) values (${hostId}, 'web-01', now(), 's1', now())`.execute(handle.db);
      const seen = new Date('2026-01-05T00:00:00Z');
      const fixedAt = new Date('2026-02-01T00:00:00Z');
      const published = new Date('2025-12-24T00:00:00Z');
      const row = (advisory: string, pkg: string, state: string, fixed: Date | null) => sql`
        insert into findings_findings (host_id, advisory_id, ecosystem, package, installed, fixed, type, severity, cvss, kev, epss, priority, reasons, aliases, summary, state, first_seen, fixed_at, updated_at, published)
        values (${hostId}, ${advisory}, 'AlmaLinux:9', ${pkg}, '1.0-1.el9', '1.0-2.el9', 'security', 'high', 7.5, false, 0.25, 'P2', '["high severity"]', '["CVE-2026-1"]',
          'Important: update', ${state}, ${seen}, ${fixed}, ${fixed ?? seen}, ${published})`.execute(handle.db);
      await row('ALSA-2026:0001', 'openssl', 'open', null);
      await row('ALSA-2026:0002', 'curl', 'fixed', fixedAt);
      await row('ALSA-2026:0003', 'bash', 'open', null);
      const ids = (await sql<{ id: string; package: string }>`select id, package from findings_findings order by id`.execute(handle.db)).rows;
      await migrateToLatest(handle.db);
      expect(await new HostStore(tablesOf(handle.db), () => new Date()).packagesOf(hostId)).toEqual(packages); // snapshots now json

      const states = (await sql<{ id: string; key: string; state: string; first_seen: Date; fixed_at: Date | null }>`select id, key, state, first_seen, fixed_at from findings_states order by id`.execute(handle.db)).rows;
      expect(states.map((s) => s.id)).toEqual(ids.map((r) => r.id));
      expect(states.map((s) => s.key)).toEqual(['openssl', 'curl', 'bash'].map((p, i) => findingKey({ advisory: `ALSA-2026:000${i + 1}`, ecosystem: 'AlmaLinux:9', package: p })));
      expect(states.map((s) => [s.state, s.first_seen.toISOString(), s.fixed_at?.toISOString() ?? null])).toEqual([
        ['open', seen.toISOString(), null],
        ['fixed', seen.toISOString(), fixedAt.toISOString()],
        ['open', seen.toISOString(), null],
      ]);

      // The server's next assessment: openssl still open (kept, first seen unchanged), curl back
      // (reopened now), bash gone (fixed now).
      const now = new Date('2026-03-01T00:00:00Z');
      const assessed = (advisory: string, pkg: string): AssessedFinding => {
        const report = { advisory, aliases: ['CVE-2026-1'], type: 'security' as const, package: pkg, installed: '1.0-1.el9', fixed: '1.0-2.el9', severity: 'high' as const, cvss: 7.5, kev: false, epss: 0.25, priority: 'P2' as const, reasons: ['high severity'], summary: 'Important: update', published };
        return { ...report, ecosystem: 'AlmaLinux:9', key: findingKey({ advisory, ecosystem: 'AlmaLinux:9', package: pkg }), detail: detailKeyOf(report, 'AlmaLinux:9') };
      };
      const store = new FindingsStore(tablesOf(handle.db), () => now);
      const changes = await store.syncHost(hostId, [assessed('ALSA-2026:0001', 'openssl'), assessed('ALSA-2026:0002', 'curl')], new InstalledTargets({ packages }));
      expect(changes).toEqual({ opened: 0, updated: 2, fixed: 1, retracted: 0 });
      const { findings } = await store.list({ hostId, state: 'open' }, { limit: 10, offset: 0, sort: 'package' });
      expect(findings.every((f) => f.published?.getTime() === published.getTime())).toBe(true);
      expect(findings.map((f) => [f.id, f.package, f.firstSeen.toISOString()])).toEqual([
        [ids[1]?.id, 'curl', now.toISOString()],
        [ids[0]?.id, 'openssl', seen.toISOString()],
      ]);
      const gone = await store.list({ hostId, state: 'fixed' }, { limit: 10, offset: 0, sort: 'package' });
      expect(gone.findings.map((f) => [f.package, f.fixedAt?.toISOString()])).toEqual([['bash', now.toISOString()]]);
    } finally {
      await dispose();
    }
  });
});

describe.each(kinds)('migration 0022 on %s', (kind) => {
  it('keeps stored findings as they were and lets a finding be retracted, no other state', async () => {
    const { handle, dispose } = await openDatabaseAt(kind, '0021-snapshot-use');
    try {
      const hostId = '5d0c7c55-3f4e-4a43-9c39-6c8f0c0a0002';
      const seen = new Date('2026-01-05T00:00:00Z');
      // The table is findings_rows from migration 0033 on (findings_states is then the view).
      let table = 'findings_states';
      const row = (key: string, state: string, fixedAt: Date | null) => sql`
        insert into ${sql.table(table)} (host_id, key, detail_id, state, first_seen, fixed_at, updated_at)
        values (${hostId}, ${key}, ${key}, ${state}, ${seen}, ${fixedAt}, ${seen})`.execute(handle.db);
      await row('00000000-0000-0000-0000-000000000001', 'open', null);
      await row('00000000-0000-0000-0000-000000000002', 'fixed', seen);
      await expect(row('00000000-0000-0000-0000-000000000003', 'retracted', null)).rejects.toThrow(/check constraint/);

      await migrateToLatest(handle.db);
      table = 'findings_rows';
      await row('00000000-0000-0000-0000-000000000003', 'retracted', null);
      await expect(row('00000000-0000-0000-0000-000000000004', 'closed', null)).rejects.toThrow(/check constraint/);
      const states = (await sql<{ state: string; fixed_at: Date | null }>`select state, fixed_at from findings_states order by key`.execute(handle.db)).rows;
      expect(states.map((s) => [s.state, s.fixed_at?.toISOString() ?? null])).toEqual([
        ['open', null],
        ['fixed', seen.toISOString()],
        ['retracted', null],
      ]);
    } finally {
      await dispose();
    }
  });
});
