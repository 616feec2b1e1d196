/**
 * An `nvd` source whose URL is the NVD CVE API pages through it: every page on the first sync,
 * then only the CVEs modified since the last complete sync, in windows of at most 120 days,
 * with the API key (from an environment variable) in a header, paced by NVD's rate limits on an
 * injected clock, retrying a 503. A sync that fails part-way keeps what it stored and the old
 * watermark. The API is a double on 127.0.0.1; its CVEs are a real NVD page (vunnel's test
 * fixture, Apache-2.0, NVD data public domain: see ../shared/data/README.md).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedStore, type DatabaseHandle, type FeedSource } from '@patchwise/core';
import { tablesOf, type Database } from '../src/database.js';
import { FeedSyncer, type FeedSyncerOptions } from '../src/feed-syncer.js';
import { parseFeedSources } from '../src/load-feed-sources.js';
import { almaAdvisory, almaFacts, almaInventory, nvdPage } from './support/fixtures.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, openTestApp, type TestApp } from './support/test-app.js';

const NVD_PAGE = fileURLToPath(new URL('../../../../shared/data/nvd/vunnel-nvd-api2-full-page.json', import.meta.url));
const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const API_PATH = '/rest/json/cves/2.0';
const KEY = 'k-7f3e9a1c-test-key';
const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

interface NvdCve {
  cve: { id: string; lastModified: string; metrics?: Record<string, unknown> } & Record<string, unknown>;
}

/** How the API is asked: ISO-8601 with an offset. */
const offsetTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
/** NVD writes times in UTC without a zone. */
const nvdTime = (d: Date) => d.toISOString().slice(0, -1);
const fixtureCves = (): NvdCve[] => (JSON.parse(readFileSync(NVD_PAGE, 'utf8')) as { vulnerabilities: NvdCve[] }).vulnerabilities;
const madeCves = (ids: string[], modified: Date): NvdCve[] =>
  (JSON.parse(nvdPage(ids.map((id) => ({ id, modified: nvdTime(modified), vector: CRITICAL, score: 9.8 })))) as { vulnerabilities: NvdCve[] }).vulnerabilities;

interface ApiRequest {
  readonly at: number;
  readonly query: URLSearchParams;
  readonly apiKey: string | undefined;
  readonly status: number;
}

/**
 * The NVD CVE API 2.0 as far as paging goes: `startIndex` / `resultsPerPage` (at most 2000),
 * `lastModStartDate` / `lastModEndDate` (both or neither, with an offset, at most 120 days apart;
 * NVD answers 404 otherwise), the `apiKey` header when one is required, and scripted failures.
 */
class NvdApiDouble {
  cves: NvdCve[] = [];
  requiredKey: string | undefined;
  /** Statuses to answer, one per request, before serving normally; with a Retry-After header made from the double's clock. */
  readonly failNext: (number | { status: number; retryAfter: (now: number) => string })[] = [];
  /** A status answered to every request for this startIndex. */
  failAt: { startIndex: number; status: number } | undefined;
  readonly requests: ApiRequest[] = [];
  private readonly server: Server;

  constructor(private readonly now: () => number) {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://double');
      const apiKey = req.headers.apikey as string | undefined;
      const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
        this.requests.push({ at: this.now(), query: url.searchParams, apiKey, status });
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
      };
      if (url.pathname !== API_PATH && url.pathname !== `${API_PATH}/`) return answer(404, '');
      if (this.requiredKey !== undefined && apiKey !== this.requiredKey) return answer(403, '');
      const scripted = this.failNext.shift();
      if (typeof scripted === 'number') return answer(scripted, '');
      if (scripted !== undefined) return answer(scripted.status, '', { 'retry-after': scripted.retryAfter(this.now()) });
      const q = url.searchParams;
      const startIndex = Number(q.get('startIndex') ?? 0);
      const perPage = Number(q.get('resultsPerPage') ?? 2000);
      if (this.failAt?.startIndex === startIndex) return answer(this.failAt.status, '');
      if (!(perPage >= 1 && perPage <= 2000)) return answer(404, '');
      const start = q.get('lastModStartDate');
      const end = q.get('lastModEndDate');
      let selected = this.cves;
      if (start !== null || end !== null) {
        const withOffset = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$/;
        if (start === null || end === null || !withOffset.test(start) || !withOffset.test(end)) return answer(404, '');
        const from = Date.parse(start);
        const to = Date.parse(end);
        if (to < from || to - from > 120 * DAY) return answer(404, '');
        selected = selected.filter((c) => {
          const at = Date.parse(`${c.cve.lastModified}Z`);
          return at >= from && at <= to;
        });
      }
      const page = selected.slice(startIndex, startIndex + perPage);
      answer(200, JSON.stringify({ resultsPerPage: page.length, startIndex, totalResults: selected.length, format: 'NVD_CVE', version: '2.0', timestamp: nvdTime(new Date(this.now())), vulnerabilities: page }));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${API_PATH}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  take(): ApiRequest[] {
    return this.requests.splice(0);
  }
}

const paging = (r: ApiRequest) => ({
  startIndex: r.query.get('startIndex'),
  resultsPerPage: r.query.get('resultsPerPage'),
  lastModStartDate: r.query.get('lastModStartDate'),
  lastModEndDate: r.query.get('lastModEndDate'),
});

describe('NVD API sources in the sources file', () => {
  const at = (entry: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => () =>
    parseFeedSources([{ name: 'nvd', kind: 'nvd', url: 'https://services.nvd.nist.gov/rest/json/cves/2.0', ...entry }], 'feeds.yaml', env);

  it('takes the API key from a named environment variable, never from the file', () => {
    expect(at({ apiKeyEnv: 'NVD_API_KEY' }, { NVD_API_KEY: KEY })()).toEqual([
      { name: 'nvd', kind: 'nvd', url: 'https://services.nvd.nist.gov/rest/json/cves/2.0', sha256Url: null, intervalSeconds: 6 * 3600, apiKeyEnv: 'NVD_API_KEY' },
    ]);
    expect(at({})()[0]).not.toHaveProperty('apiKeyEnv');
  });

  it.each([
    [{ apiKeyEnv: 'NVD_API_KEY' }, {}, 'feeds[0] (nvd).apiKeyEnv: the environment variable NVD_API_KEY is not set or empty'],
    [{ apiKeyEnv: KEY }, {}, "feeds[0] (nvd).apiKeyEnv: expected the name of an environment variable (letters, digits and '_'), not the key itself"],
    [{ apiKeyEnv: 'K', url: 'https://mirror.example/nvd/page.json' }, { K: KEY }, 'feeds[0] (nvd).apiKeyEnv: only an nvd source whose url is the NVD CVE API'],
    [{ apiKeyEnv: 'K', url: 'http://nvd.example/rest/json/cves/2.0' }, { K: KEY }, 'feeds[0] (nvd).apiKeyEnv: an API key is sent over https only'],
    [{ apiKeyEnv: 'K', kind: 'kev' }, { K: KEY }, 'feeds[0] (nvd).apiKeyEnv: only an nvd source'],
    [{ interval: '1h' }, {}, 'feeds[0] (nvd).interval: NVD asks API clients to sync at most every 2h'],
    [{ sha256Url: 'https://services.nvd.nist.gov/x.sha256' }, {}, 'feeds[0] (nvd).sha256Url: not used with the NVD CVE API'],
  ])('refuses %j as PW_CONFIG_INVALID naming the file, entry and field', (entry, env, message) => {
    let err: unknown;
    try {
      at(entry, env)();
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'PW_CONFIG_INVALID', message: expect.stringContaining(`feeds.yaml: ${message}`) as unknown });
    expect((err as Error).message).not.toContain('k-7f3e');
  });

  it('fetches an API query with its own parameters as given, one page, as before', () => {
    const [s] = parseFeedSources([{ name: 'nvd', kind: 'nvd', url: 'https://services.nvd.nist.gov/rest/json/cves/2.0?cvssV3Severity=CRITICAL', interval: '1h' }], 'feeds.yaml', {});
    expect(s?.intervalSeconds).toBe(3600);
  });
});

describe.each(kinds)('NVD API sync on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  /** A server app over `db` with a feed syncer whose sleeps pass time on the test clock. */
  async function start(options: Partial<FeedSyncerOptions> = {}) {
    const workDir = mkdtempSync(join(tmpdir(), 'patchwise-nvd-api-'));
    const sleeps: number[] = [];
    const logs: string[] = [];
    let syncer!: FeedSyncer;
    const t = await openTestApp(db, {
      feedSyncer: ({ controlPlane, clock }) =>
        (syncer = new FeedSyncer({
          db: db.db,
          controlPlane,
          clock: clock.read,
          workDir,
          maxBytes: 1024 * 1024,
          timeoutMs: 30_000,
          nvdPageSize: 10,
          sleep: (ms) => {
            sleeps.push(ms);
            clock.advance(ms);
            return Promise.resolve();
          },
          log: (line) => logs.push(line),
          ...options,
        })),
    });
    const api = new NvdApiDouble(() => t.clock.read().getTime());
    const url = await api.listen();
    const app = t.app;
    const source = (extra: Partial<FeedSource> = {}): FeedSource => ({ name: 'nvd-api', kind: 'nvd', url, intervalSeconds: 6 * 3600, ...extra });
    const sync = async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/feeds/sync', headers: admin(t) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ sources: { name: string; outcome: string; records?: number; hostsReassessed?: number; error?: string }[] }>().sources;
    };
    const feeds = async () => {
      const res = await app.inject({ method: 'GET', url: '/api/v1/feeds', headers: admin(t) });
      expect(res.statusCode, res.body).toBe(200);
      return res;
    };
    const status = async () => (await feeds()).json<{ feeds: { name: string; records: number; lastError: string | null; url: string }[] }>().feeds.find((f) => f.name === 'nvd-api');
    const watermark = async () => (await new FeedStore(tablesOf(db.db), t.clock.read).sources()).find((s) => s.name === 'nvd-api')?.watermark ?? null;
    const cvss = async () =>
      (await app.inject({ method: 'GET', url: '/api/v1/findings', headers: admin(t) })).json<{ findings: { advisory: string; cvss: number | null }[] }>().findings.map((f) => `${f.advisory} ${f.cvss}`);
    const close = async () => {
      await t.close();
      await api.close();
      rmSync(workDir, { recursive: true, force: true });
    };
    return { t, api, syncer, sleeps, logs, source, sync, feeds, status, watermark, cvss, close };
  }

  /** An AlmaLinux host with an old openssl, and an advisory naming `cve`, so the CVE's NVD score shows in a finding. */
  async function hostWithFindingFor(t: TestApp, cve: string) {
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    const agent = new TestAgent(t);
    expect((await agent.enroll(token, almaFacts())).statusCode).toBe(201);
    const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
    await agent.send('PUT', '/api/v1/agent/inventory', { digest: createHash('sha256').update(JSON.stringify(inventory)).digest('hex'), inventory });
    const advisory = almaAdvisory('ALSA-2026:0101', 'openssl', '1:3.0.7-18.el9_2', { cve });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=alma.json', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify([advisory])) });
    expect(res.statusCode, res.body).toBe(200);
  }

  it('syncs a paged API source after the other sources of a pass, whatever their names', async () => {
    const s = await start();
    try {
      s.api.cves = fixtureCves();
      const api = s.source({ name: 'a-nvd-api' });
      // An API query with its own parameters is one page, fetched as a file is.
      const page = s.source({ name: 'b-nvd-page', url: `${api.url}?resultsPerPage=5` });
      await s.syncer.configure([api, page]);
      expect((await s.sync()).map((r) => `${r.name} ${r.outcome}`)).toEqual(['b-nvd-page imported', 'a-nvd-api imported']);
    } finally {
      await s.close();
    }
  });

  it('loads every page first with the key, then only what changed since, in windows of at most 120 days', async () => {
    const s = await start({ env: { NVD_API_KEY: KEY } });
    try {
      s.api.cves = fixtureCves();
      s.api.requiredKey = KEY;
      await s.syncer.configure([s.source({ apiKeyEnv: 'NVD_API_KEY' })]);
      await hostWithFindingFor(s.t, 'CVE-2023-27314');
      expect(await s.cvss()).toEqual(['ALSA-2026:0101 null']);
      const firstStart = s.t.clock.read();

      // First sync: the whole API, 38 CVEs in 4 pages of 10, the key on every request.
      expect(await s.sync()).toEqual([{ name: 'nvd-api', outcome: 'imported', records: 38, hostsReassessed: 1 }]);
      const first = s.api.take();
      expect(first.map(paging)).toEqual([0, 10, 20, 30].map((i) => ({ startIndex: String(i), resultsPerPage: '10', lastModStartDate: null, lastModEndDate: null })));
      expect(first.every((r) => r.apiKey === KEY && r.status === 200)).toBe(true);
      // With a key, NVD allows 50 requests in 30 s: 0.6 s apart.
      expect(s.sleeps.splice(0)).toEqual([600, 600, 600]);
      expect(await s.status()).toMatchObject({ records: 38, lastError: null });
      expect(await s.watermark()).toEqual(firstStart);
      expect(await s.cvss()).toEqual(['ALSA-2026:0101 7.5']);

      // NVD revises one CVE and publishes another; a CVE modified before the watermark less the
      // overlap is not asked for again.
      s.t.clock.advance(6 * HOUR);
      const revised = madeCves(['CVE-2023-27314'], new Date(firstStart.getTime() + 2 * HOUR))[0]!;
      s.api.cves = [...s.api.cves.filter((c) => c.cve.id !== 'CVE-2023-27314'), revised, ...madeCves(['CVE-2026-5000'], new Date(firstStart.getTime() + 3 * HOUR))];
      const secondStart = s.t.clock.read();
      expect(await s.sync()).toEqual([{ name: 'nvd-api', outcome: 'imported', records: 2, hostsReassessed: 1 }]);
      expect(s.api.take().map(paging)).toEqual([
        { startIndex: '0', resultsPerPage: '10', lastModStartDate: offsetTime(firstStart.getTime() - HOUR), lastModEndDate: offsetTime(secondStart.getTime()) },
      ]);
      expect(await s.status()).toMatchObject({ records: 39, lastError: null });
      expect(await s.watermark()).toEqual(secondStart);
      expect(await s.cvss()).toEqual(['ALSA-2026:0101 9.8']);

      // The server was off for 300 days: three windows, contiguous, none over 120 days.
      s.t.clock.advance(300 * DAY);
      const thirdStart = s.t.clock.read();
      expect(await s.sync()).toEqual([{ name: 'nvd-api', outcome: 'imported', records: 0, hostsReassessed: 0 }]);
      const windows = s.api.take().map(paging);
      expect(windows).toHaveLength(3);
      expect(windows[0]?.lastModStartDate).toBe(offsetTime(secondStart.getTime() - HOUR));
      expect(windows.at(-1)?.lastModEndDate).toBe(offsetTime(thirdStart.getTime()));
      for (const [i, w] of windows.entries()) {
        expect(Date.parse(w.lastModEndDate!) - Date.parse(w.lastModStartDate!)).toBeLessThanOrEqual(120 * DAY);
        if (i > 0) expect(w.lastModStartDate).toBe(windows[i - 1]?.lastModEndDate);
      }
      expect(await s.watermark()).toEqual(thirdStart);

      // The key is sent, never shown: not in feeds status, not in the log.
      expect((await s.feeds()).body).not.toContain(KEY);
      expect(s.logs.join('\n')).not.toContain(KEY);
      expect(s.logs.join('\n')).toContain('feed nvd-api: imported (38 records from 4 pages, 1 window, 1 host re-assessed)');
    } finally {
      await s.close();
    }
  });

  it('waits as long as a Retry-After asks (seconds or a date) when that is longer than its own pause, and not past 10 minutes', async () => {
    const s = await start();
    try {
      s.api.cves = fixtureCves();
      await s.syncer.configure([s.source()]);
      s.api.failNext.push(
        { status: 429, retryAfter: () => '40' },
        // An HTTP date holds whole seconds: 90 s from a clock between seconds is 89–90 s away.
        { status: 503, retryAfter: (now) => new Date(now + 90_000).toUTCString() },
        { status: 503, retryAfter: () => '5' },
      );
      expect(await s.sync()).toEqual([{ name: 'nvd-api', outcome: 'imported', records: 38, hostsReassessed: 0 }]);
      const [asked40, askedDate, planned60] = s.sleeps.splice(0);
      expect(asked40).toBe(40_000);
      expect(askedDate).toBeGreaterThan(89_000);
      expect(askedDate).toBeLessThanOrEqual(90_000);
      // Shorter than the planned third pause: the planned one.
      expect(planned60).toBe(60_000);
      expect(s.logs.filter((l) => l.includes('Retry-After'))).toHaveLength(2);

      s.t.clock.advance(6 * 3600_000);
      s.api.failNext.push({ status: 503, retryAfter: () => '1' }, { status: 503, retryAfter: () => '3600' });
      const [failed] = await s.sync();
      expect(failed).toMatchObject({ name: 'nvd-api', outcome: 'failed' });
      expect(failed?.error).toMatch(/: HTTP 503 Service Unavailable \(after 1 retry\), asking to wait 3600s \(Retry-After\), longer than a sync waits \(600s\); nothing stored; the next sync asks again from the last complete one$/);
      // The first pause was the planned one (its Retry-After asked for less); the hour was not waited.
      expect(s.sleeps.filter((ms) => ms > 6000)).toEqual([15_000]);
    } finally {
      await s.close();
    }
  });

  it('keeps NVD\'s public pace, retries a 503, and a failure part-way keeps what it stored and the old watermark', async () => {
    const s = await start();
    try {
      s.api.cves = fixtureCves();
      await s.syncer.configure([s.source()]);
      s.api.failNext.push(503);
      const firstStart = s.t.clock.read();
      expect(await s.sync()).toEqual([{ name: 'nvd-api', outcome: 'imported', records: 38, hostsReassessed: 0 }]);
      const first = s.api.take();
      expect(first.map((r) => [r.query.get('startIndex'), r.status])).toEqual([['0', 503], ['0', 200], ['10', 200], ['20', 200], ['30', 200]]);
      expect(first.every((r) => r.apiKey === undefined)).toBe(true);
      // The 503 was retried after 15 s; without a key requests are 6 s apart and at most 5 in 30 s.
      expect(s.sleeps.splice(0)).toEqual([15_000, 6000, 6000, 6000]);
      for (let i = 1; i < first.length; i++) expect(first[i]!.at - first[i - 1]!.at).toBeGreaterThanOrEqual(6000);
      expect(await s.watermark()).toEqual(firstStart);

      // 25 CVEs modified since; the third page of the window fails for good.
      s.t.clock.advance(6 * HOUR);
      s.api.cves = [...s.api.cves, ...madeCves(Array.from({ length: 25 }, (_, i) => `CVE-2026-${6000 + i}`), new Date(firstStart.getTime() + HOUR))];
      s.api.failAt = { startIndex: 20, status: 503 };
      const [failed] = await s.sync();
      const apiUrl = s.source().url;
      expect(failed).toMatchObject({ name: 'nvd-api', outcome: 'failed', records: 20 });
      expect(failed?.error).toMatch(new RegExp(`^${apiUrl.replaceAll('.', '\\.').replaceAll('?', '\\?')}\\?lastModStartDate=.*&startIndex=20: HTTP 503 Service Unavailable \\(after 4 retries\\); the 2 pages before it stored \\(20 CVE records\\); the next sync asks again from the last complete one$`));
      expect(s.api.take().map((r) => [r.query.get('startIndex'), r.status])).toEqual([['0', 200], ['10', 200], ...Array.from({ length: 5 }, () => ['20', 503])]);
      expect(s.sleeps.splice(0).filter((ms) => ms > 6000)).toEqual([15_000, 30_000, 60_000, 120_000]);
      // What was stored stays, and counts; the watermark does not move; the error is the source's.
      expect(await s.status()).toMatchObject({ records: 58, lastError: failed?.error });
      expect(await s.watermark()).toEqual(firstStart);

      // The next sync (a failed source is tried again within 15 minutes) asks from the same place.
      s.api.failAt = undefined;
      s.t.clock.advance(15 * 60_000);
      const thirdStart = s.t.clock.read();
      expect(await s.sync()).toEqual([{ name: 'nvd-api', outcome: 'imported', records: 25, hostsReassessed: 0 }]);
      const again = s.api.take();
      expect(again.map((r) => r.query.get('startIndex'))).toEqual(['0', '10', '20']);
      expect(again[0]?.query.get('lastModStartDate')).toBe(offsetTime(firstStart.getTime() - HOUR));
      expect(await s.status()).toMatchObject({ records: 63, lastError: null });
      expect(await s.watermark()).toEqual(thirdStart);
    } finally {
      await s.close();
    }
  });

  it('starts over when the URL changes or another source\'s NVD records are forgotten', async () => {
    const s = await start();
    try {
      s.api.cves = fixtureCves();
      await s.syncer.configure([s.source()]);
      await s.sync();
      const held = await s.watermark();
      expect(held).not.toBeNull();
      // A restart with the same entry keeps it (another interval or key changes nothing fetched).
      await s.syncer.configure([s.source({ intervalSeconds: 12 * 3600 })]);
      expect(await s.watermark()).toEqual(held);
      // The same API under another address is another source of truth: everything is loaded again.
      await s.syncer.configure([s.source({ url: `${s.source().url}/` })]);
      expect(await s.watermark()).toBeNull();
      s.api.take();
      s.t.clock.advance(6 * HOUR);
      expect(await s.sync()).toMatchObject([{ outcome: 'imported', records: 38 }]);
      expect(s.api.take().every((r) => r.query.get('lastModStartDate') === null)).toBe(true);

      // Forgetting an import whose copy of a CVE replaced this source's removes that CVE: the
      // source must bring it again, so it loads everything again.
      const later = nvdPage([{ id: 'CVE-2023-45391', modified: '2030-01-01T00:00:00.000', vector: CRITICAL, score: 9.8 }]);
      const res = await s.t.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=p.json&source=manual', headers: { ...admin(s.t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(later) });
      expect(res.statusCode, res.body).toBe(200);
      expect(await s.status()).toMatchObject({ records: 37 });
      expect(await s.watermark()).not.toBeNull();
      const forget = await s.t.app.inject({ method: 'DELETE', url: '/api/v1/feeds/manual', headers: admin(s.t) });
      expect(forget.statusCode, forget.body).toBe(200);
      expect(await s.watermark()).toBeNull();
      s.t.clock.advance(6 * HOUR);
      expect(await s.sync()).toMatchObject([{ outcome: 'imported', records: 38 }]);
      expect(s.api.take().every((r) => r.query.get('lastModStartDate') === null)).toBe(true);
      expect(await s.status()).toMatchObject({ records: 38 });
    } finally {
      await s.close();
    }
  });
});
