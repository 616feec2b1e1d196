/**
 * NVD is held one record per CVE, not page by page: a page imported or synced again, or a newer
 * one, replaces the CVEs it covers; a copy NVD modified earlier than the held one is kept out;
 * `feeds status` counts CVEs, not pages summed. Findings show the held copy's CVSS, in the process
 * that imported it, in another that follows, and in one that starts later. Pages held before
 * (migration 0030) become those rows.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedStore, migrateToLatest, migrateUpTo, openDatabase, type DatabaseHandle } from '@patchwise/core';
import { tablesOf, type Database } from '../src/database.js';
import { almaAdvisory, almaFacts, almaInventory, nvdPage } from './support/fixtures.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, openTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');

const MEDIUM = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N'; // 5.3
const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8
const FIRST = nvdPage([
  { id: 'CVE-2026-2222', modified: '2026-11-01T08:00:00.000', vector: MEDIUM, score: 5.3 },
  { id: 'CVE-2026-3333', modified: '2026-11-01T08:00:00.000', vector: MEDIUM, score: 5.3 },
]);
const REVISED = nvdPage([{ id: 'CVE-2026-2222', modified: '2026-11-05T08:00:00.000', vector: CRITICAL, score: 9.8 }]);

interface ImportReply {
  documents: string[];
  nvd: { stored: number; unchanged: number; older: number };
  hostsReassessed: number;
  documentEntries: number;
}

describe.each(kinds)('NVD records held per CVE on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  const importPage = async (t: TestApp, filename: string, text: string): Promise<ImportReply> => {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/feeds/import?filename=${filename}`, headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(text) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ImportReply>();
  };
  const cvssShown = async (t: TestApp): Promise<(number | null)[]> =>
    (await t.app.inject({ method: 'GET', url: '/api/v1/findings', headers: admin(t) })).json<{ findings: { cvss: number | null }[] }>().findings.map((f) => f.cvss);

  it('replaces what a later page covers, keeps out an older copy, and every process shows the held one', async () => {
    const one = await openTestApp(db);
    const two = await openTestApp(db, { empty: false });
    let three: TestApp | undefined;
    try {
      const agent = new TestAgent(one);
      const token = (await one.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(one), payload: {} })).json<{ token: string }>().token;
      expect((await agent.enroll(token, almaFacts())).statusCode).toBe(201);
      const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
      await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
      const advisory = almaAdvisory('ALSA-2026:0101', 'openssl', '1:3.0.7-18.el9_2', { cve: 'CVE-2026-2222' });
      await one.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=alma.json', headers: { ...admin(one), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify([advisory])) });
      await two.controlPlane.followFeeds();

      expect(await importPage(one, 'page-1.json', FIRST)).toMatchObject({ documents: ['nvd'], nvd: { stored: 2, unchanged: 0, older: 0 }, hostsReassessed: 1, documentEntries: 2 });
      expect(await cvssShown(one)).toEqual([5.3]);
      expect(new Set((await two.controlPlane.followFeeds()).cves)).toEqual(new Set(['CVE-2026-2222', 'CVE-2026-3333']));
      // The same page again (a sync of an unchanged query) changes nothing and re-assesses nobody.
      expect(await importPage(one, 'page-1.json', FIRST)).toMatchObject({ documents: [], nvd: { stored: 0, unchanged: 2, older: 0 }, hostsReassessed: 0, documentEntries: 2 });

      expect(await importPage(one, 'page-2.json', REVISED)).toMatchObject({ documents: ['nvd'], nvd: { stored: 1, unchanged: 0, older: 0 }, hostsReassessed: 1 });
      expect(await cvssShown(one)).toEqual([9.8]);
      // Process two learns of exactly the CVE that changed.
      expect((await two.controlPlane.followFeeds()).cves).toEqual(['CVE-2026-2222']);

      // The first page again: its copy of CVE-2026-2222 is older than the held one and stays out.
      expect(await importPage(one, 'page-1.json', FIRST)).toMatchObject({ documents: [], nvd: { stored: 0, unchanged: 1, older: 1 }, hostsReassessed: 0, documentEntries: 1 });
      expect(await cvssShown(one)).toEqual([9.8]);
      expect((await two.controlPlane.followFeeds()).cves).toEqual([]);

      // Two CVEs held, whatever the number of pages imported.
      const feeds = (await one.app.inject({ method: 'GET', url: '/api/v1/feeds', headers: admin(one) })).json<{ feeds: { name: string; kind: string; records: number }[] }>().feeds;
      expect(feeds.filter((f) => f.kind === 'nvd')).toMatchObject([{ name: 'nvd', kind: 'nvd', records: 2 }]);

      // A process started now reads the held records: an upload to it is assessed with 9.8.
      three = await openTestApp(db, { empty: false });
      const upgraded = almaInventory([{ name: 'openssl', version: '1:3.0.7-17.el9_2' }]);
      const same = Object.assign(new TestAgent(three), { keys: agent.keys, hostId: agent.hostId });
      const put = await same.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(upgraded), inventory: upgraded });
      expect(put.statusCode, put.body).toBe(200);
      expect(await cvssShown(three)).toEqual([9.8]);
    } finally {
      await three?.close();
      await one.close();
      await two.close();
    }
  });
});

describe('upgrading a database that held NVD pages whole', () => {
  it('holds each CVE of the pages once, the copy NVD modified last, with its source, and drops the pages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchwise-nvd-upgrade-'));
    const handle = await openDatabase<Database>({ kind: 'pglite', dataDir: dir });
    try {
      await migrateUpTo(handle.db, '0029-agentless-scan-warnings');
      const page = (kind: string, text: string, source: string | null) =>
        sql`insert into feeds_documents (kind, content, digest, record_count, source, imported_at) values (${kind}, ${text}, ${kind}, 1, ${source}, now())`.execute(handle.db);
      // The revised page was imported first: the first page's older copy must not win by coming later.
      await page('nvd:aaaa', REVISED, 'nvd-recent');
      await page('nvd:bbbb', FIRST, null);
      await page('nvd:cccc', '{"format": "NVD_CVE", "vulnerabilities": [{"cve": {}}]}', 'import');
      await page('kev', '{}', 'import');

      expect(await migrateToLatest(handle.db)).toContain('0030-nvd-records');
      const rows = await sql<{ cve_id: string; last_modified: string; source: string }>`select cve_id, last_modified, source from feeds_nvd order by cve_id`.execute(handle.db);
      expect(rows.rows).toEqual([
        { cve_id: 'CVE-2026-2222', last_modified: '2026-11-05T08:00:00.000', source: 'nvd-recent' },
        { cve_id: 'CVE-2026-3333', last_modified: '2026-11-01T08:00:00.000', source: 'import' },
      ]);
      const left = await sql<{ kind: string }>`select kind from feeds_documents order by kind`.execute(handle.db);
      expect(left.rows).toEqual([{ kind: 'kev' }]);
      const store = new FeedStore(tablesOf(handle.db), () => new Date());
      expect((await store.nvdRecords()).find((r) => r.id === 'CVE-2026-2222')?.cvss).toMatchObject([{ baseScore: 9.8 }]);
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
