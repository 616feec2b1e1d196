/**
 * `feeds forget SOURCE` (DELETE /api/v1/feeds/:source): what one source brought (advisory
 * records, NVD records, a KEV catalog) leaves, the hosts it reached are re-assessed (their
 * findings retracted, not fixed), another process following changes drops it too, and an id
 * imported again after its removal comes back in that process as well. Names are taken as
 * `feeds status` shows them (imported KEV, EPSS and NVD by kind) as well as stored source names.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedStore, type DatabaseHandle } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { tablesOf } from '../src/database.js';
import { almaAdvisory, almaFacts, almaInventory, kevCatalog, nvdPage } from './support/fixtures.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, openTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');

const OPENSSL = almaAdvisory('ALSA-2026:0301', 'openssl', '1:3.0.7-18.el9_2', { cve: 'CVE-2026-3001' });
const CURL = almaAdvisory('ALSA-2026:0302', 'curl', '7.76.1-30.el9', { cve: 'CVE-2026-3002' });
const EPSS = '#model_version:v2023.03.01,score_date:2026-11-20T00:00:00+0000\ncve,epss,percentile\nCVE-2026-3001,0.50000,0.90000\n';
const NVD = nvdPage([{ id: 'CVE-2026-3001', modified: '2026-11-01T08:00:00.000', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 }]);

describe.each(kinds)('forgetting a feed source on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  const importAs = async (t: TestApp, source: string, filename: string, body: string) => {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/feeds/import?filename=${filename}&source=${source}`, headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(body) });
    expect(res.statusCode, res.body).toBe(200);
  };
  const statusNames = async (t: TestApp) =>
    (await t.app.inject({ method: 'GET', url: '/api/v1/feeds', headers: admin(t) })).json<{ feeds: { name: string; kind: string }[] }>().feeds.map((f) => `${f.name}:${f.kind}`);
  const forget = (t: TestApp, name: string) => t.app.inject({ method: 'DELETE', url: `/api/v1/feeds/${encodeURIComponent(name)}`, headers: admin(t) });
  const findings = async (t: TestApp, state = 'open') =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/findings?state=${state}`, headers: admin(t) }))
      .json<{ findings: { advisory: string; kev: boolean; cvss: number | null }[] }>()
      .findings.map((f) => `${f.advisory} kev=${f.kev} cvss=${f.cvss}`)
      .sort();

  /** An enrolled AlmaLinux host that uploaded these packages, so advisories turn into findings. */
  const hostWith = async (t: TestApp, packages: { name: string; version: string }[]): Promise<TestAgent> => {
    const agent = new TestAgent(t);
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    expect((await agent.enroll(token, almaFacts())).statusCode).toBe(201);
    const inventory = almaInventory(packages);
    await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
    return agent;
  };

  it('removes what the source brought, retracts its findings, and another process drops it too', async () => {
    const one = await openTestApp(db);
    const two = await openTestApp(db, { empty: false });
    try {
      const agent = await hostWith(one, [
        { name: 'openssl', version: '1:3.0.7-16.el9_2' },
        { name: 'curl', version: '7.76.1-29.el9' },
      ]);
      await importAs(one, 'vendor-x', 'openssl.json', JSON.stringify([OPENSSL]));
      await importAs(one, 'vendor-x', 'nvd.json', NVD);
      await importAs(one, 'vendor-x', 'kev.json', JSON.stringify(kevCatalog(['CVE-2026-3001', 'CVE-2026-3002'])));
      await importAs(one, 'import', 'curl.json', JSON.stringify([CURL]));
      expect(await findings(one)).toEqual(['ALSA-2026:0301 kev=true cvss=9.8', 'ALSA-2026:0302 kev=true cvss=null']);
      await two.controlPlane.followFeeds();

      const res = await one.app.inject({ method: 'DELETE', url: '/api/v1/feeds/vendor-x', headers: admin(one) });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ advisories: 1, nvd: 1, documents: ['kev'], hostsReassessed: 1, findings: { opened: 0, updated: 1, fixed: 0, retracted: 1 } });
      // curl's finding stays, without the KEV entry the forgotten catalog gave it.
      expect(await findings(one)).toEqual(['ALSA-2026:0302 kev=false cvss=null']);
      expect(await findings(one, 'retracted')).toEqual(['ALSA-2026:0301 kev=true cvss=9.8']);
      const feeds = (await one.app.inject({ method: 'GET', url: '/api/v1/feeds', headers: admin(one) })).json<{ feeds: { name: string }[] }>().feeds;
      expect(feeds.map((f) => f.name)).toEqual(['import']);
      const audit = (await one.app.inject({ method: 'GET', url: '/api/v1/audit/events?limit=1000', headers: admin(one) })).json<{ events: { action: string; details: unknown }[] }>();
      expect(audit.events.filter((e) => e.action === 'feeds.forget').map((e) => e.details)).toEqual([{ advisories: 1, nvd: 1, documents: ['kev'] }]);

      // Process two learns of the removals: the package and the CVEs they reached.
      const followed = await two.controlPlane.followFeeds();
      expect([...followed.names]).toEqual(['openssl']);
      expect(new Set(followed.cves)).toEqual(new Set(['CVE-2026-3001', 'CVE-2026-3002']));
      // An upload to it no longer finds openssl vulnerable.
      const same = Object.assign(new TestAgent(two), { keys: agent.keys, hostId: agent.hostId });
      const changed = almaInventory([
        { name: 'openssl', version: '1:3.0.7-16.el9_2' },
        { name: 'curl', version: '7.76.1-29.el9' },
        { name: 'bash', version: '5.1.8-6.el9' },
      ]);
      expect((await same.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(changed), inventory: changed })).json()).toMatchObject({ changes: { opened: 0, fixed: 0 } });

      // Nothing held under the name any more, or a name never used: 404.
      const again = await one.app.inject({ method: 'DELETE', url: '/api/v1/feeds/vendor-x', headers: admin(one) });
      expect(again.statusCode).toBe(404);
      expect(again.json()).toMatchObject({ error: { code: 'PW_NOT_FOUND', message: expect.stringContaining('nothing is held from a feed source named vendor-x') } });

      // Imported again after the removal: process two, following both at once, ends with it held.
      await importAs(one, 'vendor-y', 'openssl.json', JSON.stringify([OPENSSL]));
      expect([...(await two.controlPlane.followFeeds()).names]).toEqual(['openssl']);
      const back = almaInventory([
        { name: 'openssl', version: '1:3.0.7-16.el9_2' },
        { name: 'curl', version: '7.76.1-29.el9' },
      ]);
      expect((await same.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(back), inventory: back })).statusCode).toBe(200);
      expect(await findings(two)).toEqual(['ALSA-2026:0301 kev=false cvss=null', 'ALSA-2026:0302 kev=false cvss=null']);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('follows a removal and a re-import of the same record in one pass', async () => {
    const one = await openTestApp(db);
    const two = await openTestApp(db, { empty: false });
    try {
      await importAs(one, 'vendor-x', 'openssl.json', JSON.stringify([OPENSSL]));
      await two.controlPlane.followFeeds();
      expect((await one.app.inject({ method: 'DELETE', url: '/api/v1/feeds/vendor-x', headers: admin(one) })).statusCode).toBe(200);
      await importAs(one, 'vendor-y', 'openssl.json', JSON.stringify([OPENSSL]));
      // Removal, then the record numbered after it: two keeps the advisory.
      expect([...(await two.controlPlane.followFeeds()).names]).toEqual(['openssl']);
      expect(two.controlPlane.advisoriesCover('AlmaLinux:9')).toBe(true);
      expect((await one.app.inject({ method: 'DELETE', url: '/api/v1/feeds/vendor-y', headers: admin(one) })).statusCode).toBe(200);
      await two.controlPlane.followFeeds();
      expect(two.controlPlane.advisoriesCover('AlmaLinux:9')).toBe(false);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('forgets by the names feeds status shows: kev, epss and nvd for imported enrichment, whatever --source', async () => {
    const one = await openTestApp(db);
    const two = await openTestApp(db, { empty: false });
    try {
      await hostWith(one, [{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
      await importAs(one, 'import', 'openssl.json', JSON.stringify([OPENSSL]));
      await importAs(one, 'vendor-x', 'nvd.json', NVD);
      await importAs(one, 'vendor-x', 'kev.json', JSON.stringify(kevCatalog(['CVE-2026-3001'])));
      await importAs(one, 'import', 'epss.csv', EPSS);
      await two.controlPlane.followFeeds();
      expect(await statusNames(one)).toEqual(['import:osv', 'epss:epss', 'kev:kev', 'nvd:nvd']);
      expect(await findings(one)).toEqual(['ALSA-2026:0301 kev=true cvss=9.8']);

      // `nvd` as status shows it: the imported NVD records leave (vendor-x's pages), nothing else.
      const nvd = await forget(one, 'nvd');
      expect(nvd.statusCode, nvd.body).toBe(200);
      expect(nvd.json()).toEqual({ advisories: 0, nvd: 1, documents: [], hostsReassessed: 1, findings: { opened: 0, updated: 1, fixed: 0, retracted: 0 } });
      expect(await findings(one)).toEqual(['ALSA-2026:0301 kev=true cvss=null']);
      expect(await statusNames(one)).toEqual(['import:osv', 'epss:epss', 'kev:kev']);
      const kev = await forget(one, 'kev');
      expect(kev.statusCode, kev.body).toBe(200);
      expect(kev.json()).toMatchObject({ advisories: 0, nvd: 0, documents: ['kev'], hostsReassessed: 1 });
      expect(await findings(one)).toEqual(['ALSA-2026:0301 kev=false cvss=null']);
      // Another process drops both too.
      expect(new Set((await two.controlPlane.followFeeds()).cves)).toEqual(new Set(['CVE-2026-3001']));
      const audit = (await one.app.inject({ method: 'GET', url: '/api/v1/audit/events?limit=1000', headers: admin(one) })).json<{ events: { action: string; target: { id: string } }[] }>();
      expect(audit.events.filter((e) => e.action === 'feeds.forget').map((e) => e.target.id).sort()).toEqual(['kev', 'nvd']);

      // Nothing held under a name: 404, listing what can be forgotten (status names and stored sources).
      const unknown = await forget(one, 'vendor-x');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toEqual({ error: { code: 'PW_NOT_FOUND', message: 'nothing is held from a feed source named vendor-x; the names that can be forgotten: epss, import' } });
      // The stored source name still works: the EPSS file was imported as "import".
      expect((await forget(one, 'import')).json()).toMatchObject({ advisories: 1, documents: ['epss'] });
      expect(await statusNames(one)).toEqual([]);
      expect((await forget(one, 'epss')).json()).toEqual({ error: { code: 'PW_NOT_FOUND', message: 'nothing is held from a feed source named epss; nothing is held that can be forgotten (configured sources are removed from the --feeds file first)' } });
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('shows a document a source stored on that source\'s line only, and kev does not forget it', async () => {
    const t = await openTestApp(db);
    try {
      // A source of an earlier --feeds file that stored the KEV catalog; an import stored the NVD records.
      await new FeedStore(tablesOf(t.db), t.clock.read).upsertSource({ name: 'cisa-kev', kind: 'kev', url: 'https://cisa.example/kev.json', intervalSeconds: 86_400 });
      await importAs(t, 'cisa-kev', 'kev.json', JSON.stringify(kevCatalog(['CVE-2026-3001'])));
      await importAs(t, 'import', 'nvd.json', NVD);
      expect(await statusNames(t)).toEqual(['cisa-kev:kev', 'nvd:nvd']);
      const kev = await forget(t, 'kev');
      expect(kev.statusCode).toBe(404);
      expect(kev.json<{ error: { message: string } }>().error.message).toBe('nothing is held from a feed source named kev; the names that can be forgotten: cisa-kev, import, nvd');
      expect((await forget(t, 'cisa-kev')).json()).toMatchObject({ advisories: 0, nvd: 0, documents: ['kev'] });
      expect(await statusNames(t)).toEqual(['nvd:nvd']);
    } finally {
      await t.close();
    }
  });

  it('shows, and forgets by its kind, enrichment imported under the name of a held source of another kind', async () => {
    const t = await openTestApp(db);
    try {
      // --source names a held KEV source, but the files are EPSS scores and NVD records: that
      // source's line counts only KEV, so they are imports of their kind, shown and forgotten as such.
      await new FeedStore(tablesOf(t.db), t.clock.read).upsertSource({ name: 'cisa-kev', kind: 'kev', url: 'https://cisa.example/kev.json', intervalSeconds: 86_400 });
      await importAs(t, 'cisa-kev', 'epss.csv', EPSS);
      await importAs(t, 'cisa-kev', 'nvd.json', NVD);
      expect(await statusNames(t)).toEqual(['cisa-kev:kev', 'epss:epss', 'nvd:nvd']);
      const epss = await forget(t, 'epss');
      expect(epss.statusCode, epss.body).toBe(200);
      expect(epss.json()).toMatchObject({ nvd: 0, documents: ['epss'] });
      expect((await forget(t, 'nvd')).json()).toMatchObject({ nvd: 1, documents: [] });
      expect(await statusNames(t)).toEqual(['cisa-kev:kev']);
    } finally {
      await t.close();
    }
  });
});
