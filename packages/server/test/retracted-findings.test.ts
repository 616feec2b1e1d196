/**
 * A finding leaves a host's assessment either because the host changed (fixed, a remediation) or
 * because the advisory did while the host kept the version (retracted: withdrawn, or its ranges
 * no longer cover it). Only the first may count as a fix: time-to-patch and the SLA read fixedAt.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { almaAdvisory, almaFacts, almaInventory } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');
const HOUR = 3_600_000;

interface Listed {
  id: string;
  advisory: string;
  package: string;
  state: string;
  firstSeen: string;
  fixedAt: string | null;
  retractedAt: string | null;
  sla: string;
}
type Changes = { opened: number; updated: number; fixed: number; retracted: number };

/** A later revision of a record (OSV `modified` moved on), changed by `edit`. */
function revision<T extends { modified: string }>(record: T, modified: string, edit: (r: T) => object = (r) => r): object {
  return { ...edit({ ...record }), modified };
}

/** A Debian record naming the source package, as the Debian feed does. */
function debianAdvisory(id: string, source: string, fixed: string) {
  return {
    schema_version: '1.6.0',
    id,
    modified: '2026-10-01T00:00:00Z',
    published: '2026-09-01T00:00:00Z',
    summary: `${source} security update`,
    affected: [{ package: { ecosystem: 'Debian:12', name: source }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
  };
}

describe.each(kinds)('retracted findings on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  async function importRecords(filename: string, records: readonly object[]): Promise<{ hostsReassessed: number; findings: Changes }> {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/feeds/import?filename=${filename}`, headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify(records)) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  async function list(query: string): Promise<{ total: number; findings: Listed[] }> {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/findings?sort=advisory&${query}`, headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  async function enrolled(facts: Record<string, unknown>): Promise<TestAgent> {
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    const agent = new TestAgent(t);
    expect((await agent.enroll(token, facts)).statusCode).toBe(201);
    return agent;
  }

  async function upload(agent: TestAgent, inventory: object): Promise<{ changes: Changes; open: Record<string, number> }> {
    const res = await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  it('fixes on an upgrade or removal, retracts on a withdrawn or narrowed record, and reopens when it comes back', async () => {
    const openssl = almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-28.el9', { cve: 'CVE-2026-0001' });
    const curl = almaAdvisory('ALSA-2026:0002', 'curl', '7.76.1-30.el9', { cve: 'CVE-2026-0002' });
    const bash = almaAdvisory('ALSA-2026:0003', 'bash', '5.1.8-10.el9', { cve: 'CVE-2026-0003' });
    await importRecords('alma.json', [openssl, curl, bash]);
    const agent = await enrolled(almaFacts());
    const installed = [
      { name: 'openssl', version: '1:3.0.7-27.el9' },
      { name: 'curl', version: '7.76.1-29.el9' },
      { name: 'bash', version: '5.1.8-9.el9' },
    ];
    expect((await upload(agent, almaInventory(installed))).changes).toEqual({ opened: 3, updated: 0, fixed: 0, retracted: 0 });

    // (a) curl upgraded: a remediation, fixed at the upload.
    t.clock.advance(HOUR);
    const upgraded = installed.map((p) => (p.name === 'curl' ? { ...p, version: '7.76.1-30.el9' } : p));
    expect((await upload(agent, almaInventory(upgraded))).changes).toEqual({ opened: 0, updated: 0, fixed: 1, retracted: 0 });
    const fixedAt = t.clock.read().toISOString();
    expect((await list('state=fixed')).findings.map((f) => [f.advisory, f.fixedAt, f.retractedAt])).toEqual([['ALSA-2026:0002', fixedAt, null]]);

    // (b) openssl's record withdrawn and bash's ranges moved above the installed version, the
    // host unchanged: both retracted by the import, neither fixed.
    t.clock.advance(HOUR);
    const withdrawn = revision(openssl, '2026-10-02T00:00:00Z', (r) => ({ ...r, withdrawn: '2026-10-02T00:00:00Z' }));
    const narrowed = revision(bash, '2026-10-02T00:00:00Z', (r) => ({
      ...r,
      affected: [{ package: { ecosystem: 'AlmaLinux:9', name: 'bash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '5.1.8-10.el9' }, { fixed: '5.1.8-11.el9' }] }] }],
    }));
    const retractedAt = t.clock.read().toISOString();
    const imported = await importRecords('revised.json', [withdrawn, narrowed]);
    expect(imported).toMatchObject({ hostsReassessed: 1, findings: { opened: 0, updated: 0, fixed: 0, retracted: 2 } });
    const retracted = await list('state=retracted');
    expect(retracted.findings.map((f) => [f.advisory, f.state, f.fixedAt, f.retractedAt, f.sla])).toEqual([
      ['ALSA-2026:0001', 'retracted', null, retractedAt, 'retracted'],
      ['ALSA-2026:0003', 'retracted', null, retractedAt, 'retracted'],
    ]);
    expect((await list('state=fixed')).findings.map((f) => f.advisory)).toEqual(['ALSA-2026:0002']);
    expect(await list('')).toMatchObject({ total: 0, findings: [] });
    const host = (await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${agent.hostId}`, headers: admin(t) })).json<{ openFindings: Record<string, number> }>();
    expect(host.openFindings).toEqual({ P1: 0, P2: 0, P3: 0, P4: 0 });
    // The same upload again changes nothing: a retracted finding stays retracted, never "fixed".
    expect((await upload(agent, almaInventory(upgraded))).changes).toEqual({ opened: 0, updated: 0, fixed: 0, retracted: 0 });

    // (c) the record published again: the finding reopens as a fixed one would, a new cycle.
    t.clock.advance(HOUR);
    const republished = revision(openssl, '2026-10-03T00:00:00Z');
    expect(await importRecords('again.json', [republished])).toMatchObject({ findings: { opened: 0, updated: 1, fixed: 0, retracted: 0 } });
    const reopened = await list('');
    expect(reopened.findings.map((f) => [f.advisory, f.state, f.firstSeen, f.fixedAt, f.retractedAt])).toEqual([['ALSA-2026:0001', 'open', t.clock.read().toISOString(), null, null]]);
    expect(reopened.findings[0]?.id).toBe(retracted.findings[0]?.id); // the same finding, not a new one

    // (d) openssl removed from the host: fixed, with its time.
    t.clock.advance(HOUR);
    const removed = upgraded.filter((p) => p.name !== 'openssl');
    expect((await upload(agent, almaInventory(removed))).changes).toEqual({ opened: 0, updated: 0, fixed: 1, retracted: 0 });
    expect((await list('state=fixed')).findings.map((f) => [f.advisory, f.fixedAt])).toEqual([
      ['ALSA-2026:0001', t.clock.read().toISOString()],
      ['ALSA-2026:0002', fixedAt],
    ]);
    expect((await list('state=retracted')).findings.map((f) => f.advisory)).toEqual(['ALSA-2026:0003']);
    const stored = await sql<{ state: string; n: string }>`select state, count(*) as n from findings_states where fixed_at is not null group by state`.execute(t.db);
    expect(stored.rows.map((r) => [r.state, Number(r.n)])).toEqual([['fixed', 2]]);
  });

  it('tells a retraction from an upgrade by the source package a Debian finding is matched under', async () => {
    // libssl3 is built from openssl: findings name the source and its version, the binary's
    // own version (a binNMU, +b1) differs.
    await importRecords('dsa.json', [debianAdvisory('DSA-9001-1', 'openssl', '3.0.15-1~deb12u1'), debianAdvisory('DSA-9002-1', 'openssl', '3.0.16-1~deb12u1')]);
    const agent = await enrolled({ ...almaFacts(), os: { id: 'debian', versionId: '12' } });
    const inventory = (sourceVersion: string) => ({
      format: 'patchwise-inventory',
      version: 1,
      host: { name: 'web-01', machineId: 'machine-a', os: { id: 'debian', versionId: '12' } },
      packages: [{ name: 'libssl3', version: `${sourceVersion}+b1`, arch: 'amd64', sourceName: 'openssl', sourceVersion }],
    });
    expect((await upload(agent, inventory('3.0.11-1~deb12u2'))).changes).toEqual({ opened: 2, updated: 0, fixed: 0, retracted: 0 });

    t.clock.advance(HOUR);
    const withdrawn = { ...debianAdvisory('DSA-9001-1', 'openssl', '3.0.15-1~deb12u1'), modified: '2026-10-02T00:00:00Z', withdrawn: '2026-10-02T00:00:00Z' };
    expect(await importRecords('withdrawn.json', [withdrawn])).toMatchObject({ findings: { fixed: 0, retracted: 1 } });

    t.clock.advance(HOUR);
    expect((await upload(agent, inventory('3.0.16-1~deb12u1'))).changes).toEqual({ opened: 0, updated: 0, fixed: 1, retracted: 0 });
    expect((await list('state=retracted')).findings.map((f) => [f.advisory, f.package])).toEqual([['DSA-9001-1', 'openssl']]);
    expect((await list('state=fixed')).findings.map((f) => [f.advisory, f.package, f.fixedAt])).toEqual([['DSA-9002-1', 'openssl', t.clock.read().toISOString()]]);
  });

  it('documents the states in OpenAPI and refuses an unknown one', async () => {
    const doc = (await t.app.inject('/api/v1/openapi.json')).json<{ paths: Record<string, { get?: { parameters?: { name: string; schema: unknown }[] } }> }>();
    const state = doc.paths['/api/v1/findings']?.get?.parameters?.find((p) => p.name === 'state');
    expect(JSON.stringify(state?.schema)).toMatch(/"open".*"fixed".*"retracted"/);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/findings?state=closed', headers: admin(t) });
    expect(res.statusCode).toBe(400);
  });
});
