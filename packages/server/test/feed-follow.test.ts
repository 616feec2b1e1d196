/**
 * Several server processes on one database: a feed import through one reaches the in-memory
 * advisories of the others (followFeeds), so an inventory uploaded to any of them is assessed
 * against the same advisories. Two apps over one database stand for two processes; the last test
 * runs two real servers on PostgreSQL and lets the follower's timer do it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedStore, readFeedBatch, type DatabaseHandle } from '@patchwise/core';
import { parseServerConfig, startServer, type RunningServer } from '../src/index.js';
import { tablesOf, type Database } from '../src/database.js';
import { almaAdvisory, almaFacts, almaInventory, kevCatalog } from './support/fixtures.js';
import { POSTGRES_URL, openTestDatabase, postgresAvailable } from './support/test-database.js';
import { TestAgent, TestClock, admin, openTestApp, type TestApp } from './support/test-app.js';

const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');
const hasPostgres = await postgresAvailable();
const kinds = ['pglite', ...(hasPostgres ? ['postgres' as const] : [])] as const;

describe.each(kinds)('feed changes between server processes on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  it('an import through one process reaches the advisories and enrichment of another', async () => {
    const one: TestApp = await openTestApp(db);
    const two: TestApp = await openTestApp(db, { empty: false });
    try {
      const agent = new TestAgent(two);
      const token = (await two.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(two), payload: {} })).json<{ token: string }>().token;
      expect((await agent.enroll(token, almaFacts())).statusCode).toBe(201);
      const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
      await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });

      const advisory = almaAdvisory('ALSA-2026:0101', 'openssl', '1:3.0.7-18.el9_2', { cve: 'CVE-2026-2222' });
      const imported = await one.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=alma.json', headers: { ...admin(one), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify([advisory])) });
      expect(imported.json()).toMatchObject({ records: { inserted: 1 }, hostsReassessed: 1 });

      // Process two learns of the record: the package name it touched comes back once, then not again.
      const followed = await two.controlPlane.followFeeds();
      expect([...followed.names]).toEqual(['openssl']);
      expect(followed.cves).toEqual([]);
      expect((await two.controlPlane.followFeeds()).names.size).toBe(0);

      // An upload to process two is assessed with it: the finding stays open, not "fixed".
      const newer = almaInventory([{ name: 'openssl', version: '1:3.0.7-17.el9_2' }]);
      const put = await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(newer), inventory: newer });
      expect(put.json()).toMatchObject({ changes: { opened: 0, updated: 1, fixed: 0 } });

      await one.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=kev.json', headers: { ...admin(one), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify(kevCatalog(['CVE-2026-2222']))) });
      expect((await two.controlPlane.followFeeds()).cves).toEqual(['CVE-2026-2222']);
      const older = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
      await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(older), inventory: older });
      const page = (await two.app.inject({ method: 'GET', url: '/api/v1/findings', headers: admin(two) })).json<{ findings: { kev: boolean; priority: string; installed: string }[] }>();
      expect(page.findings).toMatchObject([{ kev: true, priority: 'P1', installed: '1:3.0.7-16.el9_2' }]);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('assesses an upload to a process that has not followed yet with what is committed', async () => {
    const one = await openTestApp(db);
    const two = await openTestApp(db, { empty: false });
    try {
      const agent = new TestAgent(two);
      const token = (await two.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(two), payload: {} })).json<{ token: string }>().token;
      expect((await agent.enroll(token, almaFacts())).statusCode).toBe(201);
      const imported = await one.app.inject({
        method: 'POST',
        url: '/api/v1/feeds/import?filename=alma.json',
        headers: { ...admin(one), 'content-type': 'application/octet-stream' },
        payload: Buffer.from(JSON.stringify([almaAdvisory('ALSA-2026:0104', 'openssl', '1:3.0.7-18.el9_2')])),
      });
      // The host had no inventory yet, so the importer re-assessed nothing: only process two's
      // own assessment of the upload can find it, and two has not followed the import.
      expect(imported.json()).toMatchObject({ records: { inserted: 1 }, hostsReassessed: 0 });
      const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
      const put = await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
      expect(put.json()).toMatchObject({ changes: { opened: 1 } });
      expect((await two.controlPlane.followFeeds()).names.size).toBe(0); // followed on the way
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('re-applies nothing when a record is imported again unchanged', async () => {
    const one = await openTestApp(db);
    const two = await openTestApp(db, { empty: false });
    try {
      const body = Buffer.from(JSON.stringify([almaAdvisory('ALSA-2026:0102', 'bash', '5.1.8-9.el9')]));
      const headers = { ...admin(one), 'content-type': 'application/octet-stream' };
      await one.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=a.json', headers, payload: body });
      expect((await two.controlPlane.followFeeds()).names).toEqual(new Set(['bash']));
      await one.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=a.json', headers, payload: body });
      expect((await two.controlPlane.followFeeds()).names.size).toBe(0);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

describe.runIf(hasPostgres)('a feed write in progress on PostgreSQL', () => {
  let db: DatabaseHandle<Database>;
  beforeAll(async () => {
    db = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    await db.close();
  });

  it('holds uploads until it commits, and they are assessed with it', async () => {
    const t = await openTestApp(db);
    const dir = mkdtempSync(join(tmpdir(), 'patchwise-writer-'));
    let release = () => {};
    try {
      const agent = new TestAgent(t);
      const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
      expect((await agent.enroll(token, almaFacts())).statusCode).toBe(201);
      writeFileSync(join(dir, 'alma.json'), JSON.stringify([almaAdvisory('ALSA-2026:0105', 'openssl', '1:3.0.7-18.el9_2')]));
      const batch = await readFeedBatch([join(dir, 'alma.json')]);
      // Another process's import, stopped between its write and its commit.
      const gate = new Promise<void>((r) => (release = r));
      let written = () => {};
      const holding = new Promise<void>((r) => (written = r));
      const writer = db.db.transaction().execute(async (trx) => {
        await new FeedStore(tablesOf(trx), t.clock.read).applyRecords(batch.records, 'elsewhere');
        written();
        await gate;
      });
      await holding;
      const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
      const put = agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
      const early = await Promise.race([put.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
      expect(early).toBe('waiting');
      release();
      await writer;
      expect((await put).json()).toMatchObject({ changes: { opened: 1 } });
    } finally {
      release();
      rmSync(dir, { recursive: true, force: true });
      await t.close();
    }
  });
});

describe.runIf(hasPostgres)('two real servers on one PostgreSQL', () => {
  const schema = `pw_follow_${randomBytes(6).toString('hex')}`;
  const dirs: string[] = [];
  const servers: RunningServer[] = [];

  async function server(): Promise<{ url: string; token: string }> {
    const data = mkdtempSync(join(tmpdir(), 'patchwise-follow-'));
    // Servers sharing one PostgreSQL share its signing keys (docs: copy the files to each).
    const first = dirs[0];
    if (first) for (const file of ['job-signing-key', 'audit-signing-key']) copyFileSync(join(first, file), join(data, file));
    dirs.push(data);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const s = await startServer(parseServerConfig({ data, listen: '127.0.0.1:0', env: { DATABASE_URL: url.toString() } }), { feedFollowMs: 50 });
    servers.push(s);
    return { url: s.url, token: readFileSync(s.adminTokenPath, 'utf8').trim() };
  }

  beforeAll(async () => {
    const c = new pg.Client({ connectionString: POSTGRES_URL });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: POSTGRES_URL });
    await c.connect();
    await c.query(`drop schema ${schema} cascade`);
    await c.end();
  });

  it("picks up the other server's import on its own, within a few follow intervals", async () => {
    const a = await server();
    const b = await server();
    const running = servers[1];
    if (!running) throw new Error('server b did not start');
    // An agent of server b, signing with the real clock (server b checks freshness against it).
    const viaB = { app: running.app, clock: new TestClock(new Date()), adminToken: b.token } as unknown as TestApp;
    const agent = new TestAgent(viaB);
    const token = (await running.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(viaB), payload: {} })).json<{ token: string }>().token;
    expect((await agent.enroll(token, almaFacts())).statusCode).toBe(201);
    const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
    const upload = async () => (await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory })).json<{ open: Record<string, number> }>();
    expect(Object.values((await upload()).open).reduce((x, y) => x + y, 0)).toBe(0);

    const res = await fetch(`${a.url}/api/v1/feeds/import?filename=alma.json`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/octet-stream' },
      body: JSON.stringify([almaAdvisory('ALSA-2026:0103', 'openssl', '1:3.0.7-18.el9_2')]),
    });
    expect(res.status).toBe(200);
    // Server b assesses uploads against what it holds in memory; wait (bounded) for its follower,
    // uploading at most ~27 times (the agent rate limit is 30 a minute).
    const deadline = Date.now() + 8_000;
    let open = 0;
    while (open === 0 && Date.now() < deadline) {
      open = Object.values((await upload()).open).reduce((x, y) => x + y, 0);
      if (open === 0) await new Promise((r) => setTimeout(r, 300));
    }
    expect(open).toBe(1);
  });
});
