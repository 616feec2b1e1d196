/**
 * A host upgraded in place to the next release of its distribution (Debian 12 bookworm → 13
 * trixie, `apt full-upgrade` with the sources changed): its agent reports the new os-release and
 * an inventory whose packages are now of `Debian:13`. The server must follow it whole: the old
 * release's findings close as fixed (the host no longer has those versions), the new release's
 * advisories apply, host filters and end of life read the new release, and a later feed import
 * for the new release reaches the host while one for the old release no longer does.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { osvRecord as record } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, importFeedRecords, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');

function facts(versionId: string, kernel: string) {
  return { hostname: 'db-01', machineId: 'machine-u', os: { id: 'debian', versionId }, kernel, arch: 'x86_64', uptimeSeconds: 60, ips: ['10.0.0.9'], rebootRequired: false, timezone: 'UTC' };
}

function inventory(versionId: string, packages: { name: string; version: string }[]) {
  return { format: 'patchwise-inventory', version: 1, host: { name: 'db-01', machineId: 'machine-u', os: { id: 'debian', versionId } }, packages: packages.map((p) => ({ ...p, arch: 'amd64' })) };
}

describe.each(kinds)('a host upgraded to the next release on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  const importRecords = (records: object[]) => importFeedRecords(t, records);

  async function findings(state: 'open' | 'fixed') {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/findings?state=${state}`, headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    return res
      .json<{ findings: { advisory: string; ecosystem: string; installed: string }[] }>()
      .findings.map((f) => `${f.advisory} ${f.ecosystem} ${f.installed}`)
      .sort();
  }

  const hostsOn = async (os: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/hosts?os=${os}`, headers: admin(t) })).json<{ total: number }>().total;

  it('closes the old release findings as fixed, opens the new ones, and files the host under the new release', async () => {
    await importRecords([record('DSA-9101-1', 'Debian:12', 'openssl', '3.0.15-1~deb12u1'), record('DSA-9102-1', 'Debian:13', 'openssl', '3.5.1-1+deb13u1')]);
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    const agent = new TestAgent(t);
    expect((await agent.enroll(token, facts('12', '6.1.0-28-amd64'))).statusCode).toBe(201);
    const bookworm = inventory('12', [
      { name: 'openssl', version: '3.0.11-1~deb12u2' },
      { name: 'curl', version: '7.88.1-10+deb12u5' },
    ]);
    expect((await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(bookworm), inventory: bookworm })).json()).toMatchObject({ changes: { opened: 1 } });
    expect(await findings('open')).toEqual(['DSA-9101-1 Debian:12 3.0.11-1~deb12u2']);

    // After the upgrade (and its reboot): a check-in with the new os-release, then the inventory.
    const trixie = inventory('13', [
      { name: 'openssl', version: '3.5.0-1' },
      { name: 'curl', version: '8.14.1-2' },
    ]);
    const checkin = await agent.send('POST', '/api/v1/agent/checkin', { facts: facts('13', '6.12.57+deb13-amd64'), inventoryDigest: digestOf(trixie) });
    expect(checkin.json()).toMatchObject({ sendInventory: true });
    const put = await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(trixie), inventory: trixie });
    expect(put.json()).toMatchObject({ changes: { opened: 1, fixed: 1, retracted: 0 } });
    expect(await findings('open')).toEqual(['DSA-9102-1 Debian:13 3.5.0-1']);
    expect(await findings('fixed')).toEqual(['DSA-9101-1 Debian:12 3.0.11-1~deb12u2']);

    expect(await hostsOn('debian-13')).toBe(1);
    expect(await hostsOn('debian-12')).toBe(0);
    const host = (await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${agent.hostId}`, headers: admin(t) })).json<{ os: { versionId: string }; eol: { status: string } }>();
    expect(host.os.versionId).toBe('13');
    expect(host.eol.status).toBe('supported');

    // Feed imports now reach the host through its new release only.
    expect(await importRecords([record('DSA-9103-1', 'Debian:12', 'curl', '7.88.1-10+deb12u8')])).toMatchObject({ hostsReassessed: 0 });
    expect(await importRecords([record('DSA-9104-1', 'Debian:13', 'curl', '8.14.1-2+deb13u1')])).toMatchObject({ hostsReassessed: 1, findings: { opened: 1 } });
    expect(await findings('open')).toEqual(['DSA-9102-1 Debian:13 3.5.0-1', 'DSA-9104-1 Debian:13 8.14.1-2']);
  });
});
