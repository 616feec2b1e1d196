import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle, FeedSource } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { FeedSyncer } from '../src/feed-syncer.js';
import { loadFeedSources } from '../src/load-feed-sources.js';
import { almaAdvisory, almaFacts, almaInventory, kevCatalog, nvdPage } from './support/fixtures.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, openTestApp, type TestApp } from './support/test-app.js';

// The PyPA advisory database (CC-BY-4.0; see ../shared/data/README.md): a real .tar.gz of about 2,600 OSV records.
const PYPA = fileURLToPath(new URL('../../../../shared/data/osv/pypa-advisory-database.tar.gz', import.meta.url));
const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const HOUR = 3600_000;
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

interface ServedFile {
  body: string | Buffer;
  etag?: string;
  lastModified?: string;
  /** Send the body in chunks without Content-Length, as a streaming server would. */
  chunked?: boolean;
}

/**
 * A feed server on 127.0.0.1 (no network): serves `files` by path with ETag / Last-Modified and
 * answers 304 to a matching If-None-Match, recording every request's headers.
 */
class FeedServer {
  readonly files = new Map<string, ServedFile>();
  readonly requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  private readonly server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    this.requests.push({ path, headers: req.headers });
    res.on('error', () => undefined); // a client that hangs up mid-body (the size limit) is expected
    const file = this.files.get(path);
    if (!file) return res.writeHead(404).end('not found');
    if (file.etag && req.headers['if-none-match'] === file.etag) return res.writeHead(304, { etag: file.etag }).end();
    res.writeHead(200, { ...(file.etag ? { etag: file.etag } : {}), ...(file.lastModified ? { 'last-modified': file.lastModified } : {}) });
    if (!file.chunked) return res.end(file.body);
    const body = Buffer.from(file.body);
    for (let at = 0; at < body.length && !res.destroyed; at += 64 * 1024) res.write(body.subarray(at, at + 64 * 1024));
    res.end();
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  requestsFor(path: string) {
    return this.requests.filter((r) => r.path === path);
  }
}

describe.each(kinds)('feed sync on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  let feeds: FeedServer;
  let base: string;
  let t: TestApp;
  let syncer: FeedSyncer;
  let workDir: string;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    feeds = new FeedServer();
    base = await feeds.listen();
  });
  afterAll(async () => {
    await feeds.close();
    await db.close();
  });
  beforeEach(async () => {
    feeds.files.clear();
    feeds.requests.length = 0;
    workDir = mkdtempSync(join(tmpdir(), 'patchwise-feed-sync-'));
    const inner = await openTestApp(db, {
      feedSyncer: ({ controlPlane, clock }) => (syncer = new FeedSyncer({ db: db.db, controlPlane, clock: clock.read, workDir, maxBytes: 1024 * 1024, timeoutMs: 30_000 })),
    });
    t = {
      ...inner,
      close: async () => {
        await inner.close();
        rmSync(workDir, { recursive: true, force: true });
      },
    };
  });
  afterEach(async () => {
    await t.close();
  });

  const source = (name: string, path: string, extra: Partial<FeedSource> = {}): FeedSource => ({ name, kind: 'osv', url: `${base}${path}`, intervalSeconds: 6 * 3600, ...extra });

  async function sync(query = '') {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/feeds/sync${query}`, headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ sources: { name: string; outcome: string; records?: number; hostsReassessed?: number; error?: string; dueAt?: string }[] }>().sources;
  }

  async function status(name: string) {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/feeds', headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ feeds: { name: string; records: number; ageSeconds: number | null; lastError: string | null; lastAttemptAt: string | null }[] }>().feeds.find((f) => f.name === name);
  }

  async function findings() {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/findings', headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    return res
      .json<{ findings: { advisory: string; package: string }[] }>()
      .findings.map((f) => `${f.advisory} ${f.package}`)
      .sort();
  }

  /** One enrolled AlmaLinux host with an old openssl and curl, so advisories turn into findings. */
  async function hostWithOldPackages() {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} });
    const agent = new TestAgent(t);
    expect((await agent.enroll(res.json<{ token: string }>().token, almaFacts())).statusCode).toBe(201);
    const inventory = almaInventory([
      { name: 'openssl', version: '1:3.0.7-16.el9_2' },
      { name: 'curl', version: '7.76.1-29.el9' },
    ]);
    const put = await agent.send('PUT', '/api/v1/agent/inventory', { digest: sha256(JSON.stringify(inventory)), inventory });
    expect(put.statusCode, put.body).toBe(200);
  }

  const OPENSSL = almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-18.el9_2');
  const CURL = almaAdvisory('ALSA-2026:0002', 'curl', '7.76.1-30.el9');

  it('imports, revalidates with 304, imports changes, and keeps held records when a sync is corrupt', async () => {
    await hostWithOldPackages();
    await syncer.configure([source('alma', '/osv/alma.json')]);
    feeds.files.set('/osv/alma.json', { body: JSON.stringify([OPENSSL]), etag: '"v1"', lastModified: 'Sun, 22 Nov 2026 09:00:00 GMT' });

    expect(await sync()).toEqual([{ name: 'alma', outcome: 'imported', records: 1, hostsReassessed: 1 }]);
    expect(await findings()).toEqual(['ALSA-2026:0001 openssl']);
    expect(feeds.requestsFor('/osv/alma.json')[0]?.headers['if-none-match']).toBeUndefined();

    // Not due for 6 h: nothing is requested.
    expect(await sync()).toEqual([{ name: 'alma', outcome: 'skipped', dueAt: '2026-11-22T16:00:00.000Z' }]);
    expect(feeds.requestsFor('/osv/alma.json')).toHaveLength(1);

    t.clock.advance(6 * HOUR);
    expect(await sync()).toEqual([{ name: 'alma', outcome: 'not-modified' }]);
    const revalidation = feeds.requestsFor('/osv/alma.json')[1]?.headers;
    expect(revalidation?.['if-none-match']).toBe('"v1"');
    expect(revalidation?.['if-modified-since']).toBe('Sun, 22 Nov 2026 09:00:00 GMT');
    expect(await status('alma')).toMatchObject({ records: 1, ageSeconds: 0, lastError: null });

    t.clock.advance(6 * HOUR);
    feeds.files.set('/osv/alma.json', { body: JSON.stringify([OPENSSL, CURL]), etag: '"v2"' });
    expect(await sync()).toEqual([{ name: 'alma', outcome: 'imported', records: 2, hostsReassessed: 1 }]);
    expect(await findings()).toEqual(['ALSA-2026:0001 openssl', 'ALSA-2026:0002 curl']);

    // Truncated JSON: the error is recorded, the records and findings stay as they were.
    t.clock.advance(6 * HOUR);
    feeds.files.set('/osv/alma.json', { body: JSON.stringify([OPENSSL, CURL]).slice(0, 200), etag: '"v3"' });
    const [corrupt] = await sync();
    expect(corrupt).toMatchObject({ name: 'alma', outcome: 'failed', error: expect.stringMatching(/not valid JSON/) });
    expect(corrupt?.error).toContain(`${base}/osv/alma.json`); // the URL, not the staging path
    expect(await findings()).toEqual(['ALSA-2026:0001 openssl', 'ALSA-2026:0002 curl']);
    // A failed source is due again after 15 minutes, not after its 6-hour interval.
    expect(await sync()).toEqual([{ name: 'alma', outcome: 'skipped', dueAt: '2026-11-23T04:15:00.000Z' }]);
    t.clock.advance(HOUR);
    expect(await status('alma')).toMatchObject({ records: 2, ageSeconds: 7 * 3600, lastError: corrupt?.error });

    // The failure kept the validators of the last good copy, and a good sync clears the error.
    t.clock.advance(5 * HOUR);
    feeds.files.set('/osv/alma.json', { body: JSON.stringify([OPENSSL, CURL]), etag: '"v2"' });
    expect(await sync()).toEqual([{ name: 'alma', outcome: 'not-modified' }]);
    expect(feeds.requestsFor('/osv/alma.json').at(-1)?.headers['if-none-match']).toBe('"v2"');
    expect(await status('alma')).toMatchObject({ records: 2, ageSeconds: 0, lastError: null });
    expect(readdirSync(workDir)).toEqual([]); // staging directories are removed
  });

  it('verifies the published SHA-256 and keeps held records on a mismatch', async () => {
    await hostWithOldPackages();
    await syncer.configure([source('alma', '/osv/alma.json', { sha256Url: `${base}/osv/alma.json.sha256` })]);
    const good = JSON.stringify([OPENSSL]);
    feeds.files.set('/osv/alma.json', { body: good });
    feeds.files.set('/osv/alma.json.sha256', { body: `${sha256(good)}  alma.json\n` });
    expect(await sync()).toMatchObject([{ outcome: 'imported', records: 1 }]);

    t.clock.advance(6 * HOUR);
    feeds.files.set('/osv/alma.json', { body: JSON.stringify([OPENSSL, CURL]) }); // the checksum still describes the old file
    const [mismatch] = await sync();
    expect(mismatch).toMatchObject({ outcome: 'failed', error: expect.stringContaining('SHA-256 mismatch') });
    expect(await findings()).toEqual(['ALSA-2026:0001 openssl']);
    expect(await status('alma')).toMatchObject({ records: 1, lastError: mismatch?.error });
  });

  it('refuses an oversized response while streaming it, and imports nothing', async () => {
    await syncer.configure([source('big', '/osv/big.json')]);
    feeds.files.set('/osv/big.json', { body: `[${' '.repeat(3 * 1024 * 1024)}]`, chunked: true });
    const [big] = await sync();
    expect(big).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/larger than the limit of 1\.0 MiB/) });
    expect(big?.error).toContain(`${base}/osv/big.json`);
    expect(await status('big')).toMatchObject({ records: 0, ageSeconds: null, lastError: big?.error });
  });

  it('stores a configured source\'s copy again after forgetting an import that had replaced it', async () => {
    await syncer.configure([source('alma', '/osv/alma.json')]);
    feeds.files.set('/osv/alma.json', { body: JSON.stringify([OPENSSL]), etag: '"a"' });
    expect(await sync()).toMatchObject([{ name: 'alma', outcome: 'imported', records: 1 }]);
    // A newer copy imported by hand replaces the synced one (one row per id), then is forgotten.
    const newer = { ...OPENSSL, modified: '2026-10-05T00:00:00Z', summary: 'revised' };
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=alma.json&source=manual', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify([newer])) });
    expect(imported.statusCode, imported.body).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/feeds/manual', headers: admin(t) })).statusCode).toBe(200);
    expect(await status('alma')).toMatchObject({ records: 0 });
    // The source's file did not change, but what it holds did: the sync downloads it in full.
    expect(await sync('?force=true')).toMatchObject([{ name: 'alma', outcome: 'imported', records: 1 }]);
    expect(await status('alma')).toMatchObject({ records: 1 });
  });

  it('refuses an import under the name of a configured source, and stores nothing', async () => {
    await syncer.configure([source('alma', '/osv/alma.json')]);
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=alma.json&source=alma', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify([OPENSSL])) });
    expect([imported.statusCode, imported.json()]).toEqual([409, { error: { code: 'PW_CONFLICT', message: "source: alma is a feed source of the server's --feeds file, which the server syncs; import under another name" } }]);
    expect(await status('alma')).toMatchObject({ records: 0 });
  });

  it('syncs only due sources unless forced, and counts the entries of an enrichment document', async () => {
    await syncer.configure([source('alma', '/osv/alma.json'), { ...source('cisa-kev', '/kev.json'), kind: 'kev', intervalSeconds: 24 * 3600 }]);
    feeds.files.set('/osv/alma.json', { body: JSON.stringify([OPENSSL]), etag: '"a"' });
    feeds.files.set('/kev.json', { body: JSON.stringify(kevCatalog(['CVE-2026-1111', 'CVE-2026-2222'])), etag: '"k"' });
    expect(await sync()).toMatchObject([
      { name: 'alma', outcome: 'imported', records: 1 },
      { name: 'cisa-kev', outcome: 'imported', records: 2 },
    ]);
    t.clock.advance(6 * HOUR);
    expect(await sync()).toMatchObject([
      { name: 'alma', outcome: 'not-modified' },
      { name: 'cisa-kev', outcome: 'skipped', dueAt: '2026-11-23T10:00:00.000Z' },
    ]);
    expect(await sync('?force=true')).toMatchObject([
      { name: 'alma', outcome: 'not-modified' },
      { name: 'cisa-kev', outcome: 'not-modified' },
    ]);
    expect(await status('cisa-kev')).toMatchObject({ records: 2, lastError: null });
  });

  it('replaces the KEV catalog with a newer release on schedule, and names an older one served as the last error', async () => {
    await syncer.configure([{ ...source('cisa-kev', '/kev.json'), kind: 'kev', intervalSeconds: 24 * 3600 }]);
    feeds.files.set('/kev.json', { body: JSON.stringify(kevCatalog(['CVE-2026-1111', 'CVE-2026-2222'])), etag: '"k1"' });
    expect(await sync()).toMatchObject([{ name: 'cisa-kev', outcome: 'imported', records: 2 }]);
    t.clock.advance(24 * HOUR);
    feeds.files.set('/kev.json', { body: JSON.stringify(kevCatalog(['CVE-2026-1111', 'CVE-2026-2222', 'CVE-2026-3333'], '2026-11-21T15:00:00.000Z')), etag: '"k2"' });
    expect(await sync()).toMatchObject([{ name: 'cisa-kev', outcome: 'imported', records: 3 }]);
    expect(await status('cisa-kev')).toMatchObject({ records: 3, lastError: null });

    // A mirror rolled back to an older release: nothing is replaced, and status says why.
    t.clock.advance(24 * HOUR);
    feeds.files.set('/kev.json', { body: JSON.stringify(kevCatalog(['CVE-2026-1111'])), etag: '"k3"' });
    const [kept] = await sync();
    // This sync imported nothing; the catalog the source brought before is what it still holds.
    expect(kept).toMatchObject({ outcome: 'imported', records: 0 });
    expect(kept?.error).toBe(
      `${base}/kev.json: kept out: KEV catalog 2026.11.20 (1 entries, released 2026-11-20T15:00:00.000Z) is older than the held ` +
        'KEV catalog 2026.11.21 (3 entries, released 2026-11-21T15:00:00.000Z); the held one stays',
    );
    expect(await status('cisa-kev')).toMatchObject({ records: 3, lastError: kept?.error });
  });

  it('holds an NVD source\'s CVEs once however many revisions of its page it synced, and refuses NVD from a KEV source', async () => {
    const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N';
    const cve = (id: string, modified: string) => ({ id, modified, vector, score: 5.3 });
    await syncer.configure([{ ...source('nvd-recent', '/nvd.json'), kind: 'nvd' }, { ...source('cisa-kev', '/kev.json'), kind: 'kev' }]);
    feeds.files.set('/nvd.json', { body: nvdPage([cve('CVE-2026-1111', '2026-11-01T00:00:00.000'), cve('CVE-2026-2222', '2026-11-01T00:00:00.000')]), etag: '"n1"' });
    feeds.files.set('/kev.json', { body: nvdPage([cve('CVE-2026-3333', '2026-11-01T00:00:00.000')]) });
    expect(await sync()).toEqual([
      { name: 'cisa-kev', outcome: 'failed', error: `${base}/kev.json: expected a kev document, found nvd; nothing imported` },
      { name: 'nvd-recent', outcome: 'imported', records: 2, hostsReassessed: 0 },
    ]);
    // The query's next answer: one CVE revised, one new. Three CVEs held, not 2 + 2 entries of two pages.
    t.clock.advance(6 * HOUR);
    feeds.files.set('/nvd.json', { body: nvdPage([cve('CVE-2026-2222', '2026-11-03T00:00:00.000'), cve('CVE-2026-4444', '2026-11-03T00:00:00.000')]), etag: '"n2"' });
    expect((await sync()).find((s) => s.name === 'nvd-recent')).toMatchObject({ outcome: 'imported', records: 2 });
    expect(await status('nvd-recent')).toMatchObject({ records: 3, lastError: null });
    expect(await status('cisa-kev')).toMatchObject({ records: 0 });
  });

  it('imports the valid records of a partly bad file and reports the rest as the last error', async () => {
    await syncer.configure([source('alma', '/osv/alma.json')]);
    feeds.files.set('/osv/alma.json', { body: JSON.stringify([OPENSSL, { id: 'BROKEN-1', affected: 'nope' }]), etag: '"p"' });
    const [partial] = await sync();
    expect(partial).toMatchObject({ outcome: 'imported', records: 1, error: expect.stringMatching(/^1 problem in the file: /) });
    expect(await status('alma')).toMatchObject({ records: 1, ageSeconds: 0, lastError: partial?.error });
    // The validators were not kept: the next sync downloads the file again.
    t.clock.advance(6 * HOUR);
    await sync();
    expect(feeds.requestsFor('/osv/alma.json').at(-1)?.headers['if-none-match']).toBeUndefined();
  });

  it.skipIf(!existsSync(PYPA))('imports nothing of a truncated archive, keeps what the source held, and downloads it again next time', async () => {
    await syncer.configure([source('pypa', '/pypa.tar.gz')]);
    const whole = readFileSync(PYPA);
    feeds.files.set('/pypa.tar.gz', { body: whole, etag: '"whole"' });
    const [first] = await sync();
    expect(first).toMatchObject({ name: 'pypa', outcome: 'imported' });
    const held = first?.records ?? 0;
    expect(held).toBe(2661);
    expect(await status('pypa')).toMatchObject({ records: held, lastError: null });

    // The source's next copy arrives cut short (the size of a dropped connection's worth).
    t.clock.advance(6 * HOUR);
    feeds.files.set('/pypa.tar.gz', { body: whole.subarray(0, 300_000), etag: '"cut"' });
    const [cut] = await sync();
    expect(cut).toEqual({ name: 'pypa', outcome: 'failed', error: `${base}/pypa.tar.gz: unreadable archive (unexpected end of file); nothing in it was imported` });
    expect(await status('pypa')).toMatchObject({ records: held, lastError: cut?.error });
    // The validators of the cut copy were not kept: the next sync asks with those of the whole one.
    t.clock.advance(HOUR);
    feeds.files.set('/pypa.tar.gz', { body: whole, etag: '"whole"' });
    expect(await sync()).toEqual([{ name: 'pypa', outcome: 'not-modified' }]);
    expect(feeds.requestsFor('/pypa.tar.gz').at(-1)?.headers['if-none-match']).toBe('"whole"');
    expect(await status('pypa')).toMatchObject({ records: held, lastError: null });
  });

  it('imports nothing from a source serving another kind, and counts for each source only what it brought', async () => {
    await hostWithOldPackages();
    await syncer.configure([
      { ...source('cisa-kev', '/kev.json'), kind: 'kev' },
      { ...source('wrongkind', '/osv-as-kev.json'), kind: 'kev' },
      source('alma', '/osv/alma.json'),
      source('kev-as-osv', '/kev-as-osv.json'),
    ]);
    feeds.files.set('/kev.json', { body: JSON.stringify(kevCatalog(['CVE-2026-1111', 'CVE-2026-2222'])) });
    feeds.files.set('/osv-as-kev.json', { body: JSON.stringify(OPENSSL), etag: '"w"' });
    feeds.files.set('/osv/alma.json', { body: JSON.stringify([CURL]) });
    feeds.files.set('/kev-as-osv.json', { body: JSON.stringify(kevCatalog(['CVE-2026-3333'], '2026-11-21T15:00:00.000Z')) });
    expect(await sync()).toEqual([
      { name: 'alma', outcome: 'imported', records: 1, hostsReassessed: 1 },
      { name: 'cisa-kev', outcome: 'imported', records: 2, hostsReassessed: 0 },
      { name: 'kev-as-osv', outcome: 'failed', error: `${base}/kev-as-osv.json: expected OSV records, found kev; nothing imported` },
      { name: 'wrongkind', outcome: 'failed', error: `${base}/osv-as-kev.json: expected a kev document, found 1 OSV record; nothing imported` },
    ]);
    // Neither the OSV record nor the newer catalog served by the wrong sources got in.
    expect(await findings()).toEqual(['ALSA-2026:0002 curl']);
    expect(await status('wrongkind')).toMatchObject({ records: 0, lastError: expect.stringContaining('expected a kev document') });
    expect(await status('kev-as-osv')).toMatchObject({ records: 0 });
    expect(await status('cisa-kev')).toMatchObject({ records: 2, lastError: null });
    expect(await status('alma')).toMatchObject({ records: 1 });
    // Its validators were not kept either: the next sync downloads the file again.
    t.clock.advance(HOUR);
    await sync();
    expect(feeds.requestsFor('/osv-as-kev.json').at(-1)?.headers['if-none-match']).toBeUndefined();
  });

  it('refuses a sync when no source is configured, saying how to configure one', async () => {
    await syncer.configure([]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/sync', headers: admin(t) });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'PW_CONFLICT', message: expect.stringMatching(/^no feed sources are configured: start the server with --feeds FILE/) } });
  });

  it('lets only admins start a sync', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/sync' });
    expect(res.statusCode).toBe(401);
  });
});

describe('loadFeedSources', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'patchwise-feed-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('reads YAML and JSON lists', async () => {
    const yaml = file(
      'feeds.yaml',
      `- name: alma\n  kind: osv\n  url: https://osv.example/AlmaLinux/all.zip\n  interval: 6h\n- name: kev\n  kind: kev\n  url: https://cisa.example/kev.json\n  sha256Url: https://cisa.example/kev.json.sha256\n`,
    );
    expect(await loadFeedSources(yaml)).toEqual([
      { name: 'alma', kind: 'osv', url: 'https://osv.example/AlmaLinux/all.zip', sha256Url: null, intervalSeconds: 21600 },
      { name: 'kev', kind: 'kev', url: 'https://cisa.example/kev.json', sha256Url: 'https://cisa.example/kev.json.sha256', intervalSeconds: 21600 },
    ]);
    const json = file('feeds.json', JSON.stringify([{ name: 'epss', kind: 'epss', url: 'https://epss.example/scores.csv.gz', interval: '1d' }]));
    expect(await loadFeedSources(json)).toMatchObject([{ name: 'epss', intervalSeconds: 86400 }]);
  });

  it('names the entry and field of each mistake', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'a', kind: 'osv' }, /feeds\.json: feeds\[0\] \(a\)\.url: expected a URL/],
      [{ name: 'a', kind: 'rss', url: 'https://x.example/' }, /feeds\[0\] \(a\)\.kind: expected one of osv, kev, epss, nvd/],
      [{ name: 'a', kind: 'osv', url: 'file:///etc/passwd' }, /feeds\[0\] \(a\)\.url: only http and https/],
      [{ name: 'a', kind: 'osv', url: 'https://x.example/', interval: 'soon' }, /feeds\[0\] \(a\)\.interval: "soon" is not a duration/],
      [{ name: 'a', kind: 'osv', url: 'https://x.example/', interval: '10s' }, /feeds\[0\] \(a\)\.interval: must be between 5m and 30d/],
      [{ name: 'a', kind: 'osv', url: 'https://x.example/', sha256: 'x' }, /feeds\[0\] \(a\)\.sha256: unknown field/],
      [{ name: 'a b', kind: 'osv', url: 'https://x.example/' }, /feeds\[0\]\.name: expected/],
    ];
    for (const [entry, message] of cases) {
      const path = file('feeds.json', JSON.stringify([entry]));
      await expect(loadFeedSources(path)).rejects.toMatchObject({ code: 'PW_CONFIG_INVALID', message: expect.stringMatching(message) });
    }
    const twice = file('twice.json', JSON.stringify([{ name: 'a', kind: 'osv', url: 'https://x.example/' }, { name: 'a', kind: 'kev', url: 'https://y.example/' }]));
    await expect(loadFeedSources(twice)).rejects.toThrow(/feeds\[1\] \(a\)\.name: used by an earlier entry/);
    await expect(loadFeedSources(file('bad.yaml', 'name: [unclosed'))).rejects.toMatchObject({ code: 'PW_CONFIG_INVALID' });
    await expect(loadFeedSources(join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml: cannot read the feed sources file \(ENOENT\)/);
  });
});
