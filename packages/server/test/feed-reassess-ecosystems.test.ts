/**
 * A feed import re-assesses only hosts that can match what it changed: a distribution's record
 * reaches hosts of that distribution (and its bare name every release of it), never a host of
 * another distribution that has a package of the same name; an application ecosystem's record
 * (PyPI) reaches every host that carries the package, whatever its distribution.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { almaAdvisory, almaFacts, almaInventory, osvRecord as record } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, importFeedRecords, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');

const JINJA2 = { ecosystem: 'PyPI', name: 'jinja2', version: '3.1.2' };

describe.each(kinds)('re-assessment after a feed import on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  async function enroll(facts: Parameters<TestAgent['enroll']>[1], inventory: object): Promise<void> {
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    const agent = new TestAgent(t);
    expect((await agent.enroll(token, facts)).statusCode).toBe(201);
    const put = await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
    expect(put.statusCode, put.body).toBe(200);
  }

  const importRecords = (records: object[]) => importFeedRecords(t, records);

  async function openFindings(): Promise<string[]> {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/findings', headers: admin(t) });
    return res
      .json<{ findings: { host: string; advisory: string }[] }>()
      .findings.map((f) => `${f.host} ${f.advisory}`)
      .sort();
  }

  /** An AlmaLinux 9 host and a Debian 12 host, both with a package named openssl and the same PyPI jinja2. */
  async function twoDistributions(): Promise<void> {
    const alma = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
    await enroll(almaFacts('machine-a', 'alma-01'), { ...alma, host: { ...alma.host, name: 'alma-01' }, packages: [...alma.packages, JINJA2] });
    const debianFacts = { ...almaFacts('machine-d', 'debian-01'), os: { id: 'debian', versionId: '12' }, kernel: '6.1.0-18-amd64' };
    await enroll(debianFacts, {
      format: 'patchwise-inventory',
      version: 1,
      host: { name: 'debian-01', machineId: 'machine-d', os: { id: 'debian', versionId: '12' } },
      packages: [{ name: 'openssl', version: '3.0.11-1~deb12u1', arch: 'amd64' }, JINJA2],
    });
  }

  it('re-assesses only the hosts of the distribution a record is for', async () => {
    await twoDistributions();
    expect(await importRecords([record('DSA-9001-1', 'Debian:12', 'openssl', '3.0.13-1~deb12u1')])).toMatchObject({ hostsReassessed: 1, findings: { opened: 1 } });
    // The bare distribution name applies to every release of it, and to nothing else.
    expect(await importRecords([record('DLA-9002-1', 'Debian', 'openssl', '3.0.13-1~deb12u2')])).toMatchObject({ hostsReassessed: 1, findings: { opened: 1 } });
    expect(await importRecords([almaAdvisory('ALSA-2026:9003', 'openssl', '1:3.0.7-18.el9_2')])).toMatchObject({ hostsReassessed: 1, findings: { opened: 1 } });
    expect(await openFindings()).toEqual(['alma-01 ALSA-2026:9003', 'debian-01 DLA-9002-1', 'debian-01 DSA-9001-1']);
  });

  it('re-assesses a fleet larger than one re-assessment batch, each host once, retired ones left as they were', async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 19; i++) {
      const name = `web-${String(i).padStart(2, '0')}`;
      const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }], `machine-${i}`);
      const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
      const agent = new TestAgent(t);
      expect((await agent.enroll(token, almaFacts(`machine-${i}`, name))).statusCode).toBe(201);
      expect((await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory: { ...inventory, host: { ...inventory.host, name } } })).statusCode).toBe(200);
      ids.push(agent.hostId);
    }
    const retired = ids[7] as string;
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/hosts/${retired}/retire`, headers: admin(t), payload: {} })).statusCode).toBe(200);
    expect(await importRecords([almaAdvisory('ALSA-2026:9005', 'openssl', '1:3.0.7-18.el9_2')])).toMatchObject({ hostsReassessed: 18, findings: { opened: 18 } });
    const open = await openFindings();
    expect(open).toHaveLength(18);
    expect(new Set(open).size).toBe(18);
    expect(open).not.toContain('web-08 ALSA-2026:9005');
  });

  it('re-assesses every host carrying an application package, whatever its distribution', async () => {
    await twoDistributions();
    expect(await importRecords([record('PYSEC-2026-9004', 'PyPI', 'jinja2', '3.1.3')])).toMatchObject({ hostsReassessed: 2, findings: { opened: 2 } });
    // A withdrawal reaches the same hosts, though no record is left under its ecosystem.
    const withdrawn = { ...record('PYSEC-2026-9004', 'PyPI', 'jinja2', '3.1.3'), modified: '2026-10-02T00:00:00Z', withdrawn: '2026-10-02T00:00:00Z' };
    expect(await importRecords([withdrawn])).toMatchObject({ hostsReassessed: 2 });
    expect(await openFindings()).toEqual([]);
  });
});
