/**
 * A host whose ecosystem no advisory held covers shows no findings because nothing is known:
 * `GET /api/v1/feeds` names those ecosystems with their host counts, and the host view says so,
 * by the matcher's own rule of which advisories apply to a host's ecosystem.
 */
import { describe, expect, it } from 'vitest';
import { almaAdvisory, almaFacts } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;

const facts = (machineId: string, id: string, versionId: string) => ({ ...almaFacts(machineId, machineId), os: { id, versionId } });

/** An OSV record for `ecosystem` (a Debian or Ubuntu one), as the distributions publish them. */
function advisory(id: string, ecosystem: string) {
  return { ...almaAdvisory(id, 'openssl', '3.0.15-1'), affected: [{ package: { ecosystem, name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.15-1' }] }] }] };
}

describe.each(kinds)('ecosystems without advisories on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  async function enroll(machineId: string, id: string, versionId: string): Promise<string> {
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    const res = await new TestAgent(t).enroll(token, facts(machineId, id, versionId));
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ hostId: string }>().hostId;
  }

  async function importRecords(records: unknown[]) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=osv.json', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify(records)) });
    expect(res.statusCode, res.body).toBe(200);
  }

  async function uncovered() {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/feeds', headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ uncovered: { ecosystem: string; hosts: number }[] }>().uncovered;
  }

  async function advisoriesHeld(id: string) {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${id}`, headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ advisoriesHeld: boolean | null }>().advisoriesHeld;
  }

  it('names the ecosystems of active hosts that no advisory held covers, as matching applies them', async () => {
    const alma = await enroll('alma-1', 'almalinux', '9.4');
    const debian = await enroll('debian-1', 'debian', '12');
    await enroll('xenial-1', 'ubuntu', '16.04');
    await enroll('xenial-2', 'ubuntu', '16.04');
    await importRecords([almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-18.el9_2')]);
    expect(await uncovered()).toEqual([
      { ecosystem: 'Debian:12', hosts: 1 },
      { ecosystem: 'Ubuntu:16.04:LTS', hosts: 2 },
    ]);
    expect(await advisoriesHeld(alma)).toBe(true);
    expect(await advisoriesHeld(debian)).toBe(false);

    // A record for the bare name applies to every release; Ubuntu Pro's stream to its release.
    await importRecords([advisory('DEBIAN-CVE-2026-0001', 'Debian'), advisory('USN-9001-1', 'Ubuntu:Pro:16.04:LTS')]);
    expect(await uncovered()).toEqual([]);
    expect(await advisoriesHeld(debian)).toBe(true);
  });

  it('leaves quarantined hosts out', async () => {
    const debian = await enroll('debian-2', 'debian', '12');
    expect(await uncovered()).toEqual([{ ecosystem: 'Debian:12', hosts: 1 }]);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/hosts/${debian}`, headers: admin(t), payload: { status: 'quarantined', reason: 'test' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await uncovered()).toEqual([]);
  });
});
