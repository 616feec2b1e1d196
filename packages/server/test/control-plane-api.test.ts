import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@patchwise/core';
import { AccessStore } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { tablesOf } from '../src/database.js';
import { almaAdvisory, almaFacts, almaInventory, kevCatalog } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, personHeaders, type TestApp } from './support/test-app.js';

const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');
const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;

describe.each(kinds)('control plane API on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  let t: TestApp;
  eachTestApp(kind, (app, handle) => {
    t = app;
    db = handle;
  });

  async function importJson(filename: string, value: unknown) {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/feeds/import?filename=${filename}`,
      headers: { ...admin(t), 'content-type': 'application/octet-stream' },
      payload: Buffer.from(JSON.stringify(value)),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ records: unknown; documents: string[]; hostsReassessed: number }>();
  }

  async function enrollToken(body: Record<string, unknown> = {}) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ token: string }>().token;
  }

  async function enrolledAgent(machineId = 'machine-a', attributes?: Record<string, unknown>) {
    const agent = new TestAgent(t);
    const res = await agent.enroll(await enrollToken(attributes ? { attributes } : {}), almaFacts(machineId));
    expect(res.statusCode, res.body).toBe(201);
    return agent;
  }

  async function openFindings(query = '') {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/findings${query}`, headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ total: number; findings: { advisory: string; package: string; priority: string; state: string; fixedAt: string | null; kev: boolean }[] }>();
  }

  it('answers health, readiness and the OpenAPI document without credentials', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/readyz')).json()).toEqual({ status: 'ready' });
    const doc = (await t.app.inject('/api/v1/openapi.json')).json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/hosts', '/api/v1/findings', '/api/v1/agent/checkin', '/api/v1/feeds/import']));
  });

  it('enrolls an agent, takes its inventory only when the digest changed, and stores findings', async () => {
    await importJson('alma.json', [almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-18.el9_2'), almaAdvisory('ALSA-2026:0002', 'curl', '7.76.1-30.el9')]);
    const agent = await enrolledAgent();
    const inventory = almaInventory([
      { name: 'openssl', version: '1:3.0.7-16.el9_2' },
      { name: 'curl', version: '7.76.1-31.el9' },
    ]);
    const digest = digestOf(inventory);
    let checkin = await agent.send('POST', '/api/v1/agent/checkin', { facts: almaFacts(), inventoryDigest: digest });
    expect(checkin.statusCode, checkin.body).toBe(200);
    expect(checkin.json()).toEqual({ intervalSeconds: 60, sendInventory: true });

    const put = await agent.send('PUT', '/api/v1/agent/inventory', { digest, inventory });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ packages: 2, changes: { opened: 1, updated: 0, fixed: 0 } });

    checkin = await agent.send('POST', '/api/v1/agent/checkin', { facts: almaFacts(), inventoryDigest: digest });
    expect(checkin.json()).toEqual({ intervalSeconds: 60, sendInventory: false });

    const { findings } = await openFindings();
    expect(findings.map((f) => [f.advisory, f.package])).toEqual([['ALSA-2026:0001', 'openssl']]);

    const host = (await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${agent.hostId}`, headers: admin(t) })).json();
    expect(host).toMatchObject({ name: 'web-01', ecosystem: 'AlmaLinux:9', packages: 2, connectivity: 'online', openFindings: { P1: 0 } });
  });

  it('marks a finding fixed when the package is updated, and reopens it on regression', async () => {
    await importJson('alma.json', [almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-18.el9_2')]);
    const agent = await enrolledAgent();
    const old = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
    await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(old), inventory: old });
    t.clock.advance(3600_000);
    const patched = almaInventory([{ name: 'openssl', version: '1:3.0.7-18.el9_2' }]);
    const put = await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(patched), inventory: patched });
    expect(put.json()).toMatchObject({ changes: { opened: 0, fixed: 1 } });
    expect((await openFindings()).total).toBe(0);
    const fixed = await openFindings('?state=fixed');
    expect(fixed.findings).toMatchObject([{ advisory: 'ALSA-2026:0001', state: 'fixed', fixedAt: '2026-11-22T11:00:00.000Z' }]);

    await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(old), inventory: old });
    expect((await openFindings()).total).toBe(1);
  });

  it('fixes a kernel finding when the host runs the fixed kernel, not when the kernel is merely installed', async () => {
    await importJson('alma.json', [almaAdvisory('ALSA-2026:0100', 'kernel-core', '5.14.0-427.13.1.el9_4')]);
    const agent = await enrolledAgent();
    const facts = (kernel: string) => ({ ...almaFacts(), kernel });
    const upload = async (kernel: string, versions: string[]) => {
      const inventory = { ...almaInventory(versions.map((version) => ({ name: 'kernel-core', version }))), host: { ...almaInventory([]).host, kernel } };
      const checkin = await agent.send('POST', '/api/v1/agent/checkin', { facts: facts(kernel), inventoryDigest: digestOf(inventory) });
      expect(checkin.json()).toMatchObject({ sendInventory: true });
      const put = await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
      expect(put.statusCode, put.body).toBe(200);
      return put.json<{ changes: { opened: number; fixed: number } }>().changes;
    };
    expect(await upload('5.14.0-362.24.1.el9_3.x86_64', ['5.14.0-362.24.1.el9_3'])).toMatchObject({ opened: 1 });
    expect((await openFindings()).findings).toMatchObject([{ fixAwaitingReboot: null }]);
    // The fixed kernel is installed beside the old one, which still runs: still exposed.
    expect(await upload('5.14.0-362.24.1.el9_3.x86_64', ['5.14.0-362.24.1.el9_3', '5.14.0-427.13.1.el9_4'])).toMatchObject({ opened: 0, fixed: 0 });
    // It says the fix is there and waits for a reboot; before it was installed, it did not.
    expect((await openFindings()).findings).toMatchObject([{ advisory: 'ALSA-2026:0100', package: 'kernel-core', installed: '5.14.0-362.24.1.el9_3', fixAwaitingReboot: '5.14.0-427.13.1.el9_4' }]);
    // After the reboot the old kernel stays installed (dnf keeps three), and the finding is fixed.
    expect(await upload('5.14.0-427.13.1.el9_4.x86_64', ['5.14.0-362.24.1.el9_3', '5.14.0-427.13.1.el9_4'])).toMatchObject({ fixed: 1, retracted: 0 }); // a remediation, though the old package stays
    expect((await openFindings()).total).toBe(0);
    // A feed import re-assesses from the stored snapshot with the kernel the host last reported.
    const revised = importJson('alma.json', [{ ...almaAdvisory('ALSA-2026:0100', 'kernel-core', '5.14.0-427.13.1.el9_4'), modified: '2026-10-02T00:00:00Z', summary: 'Important: kernel security update (revised)' }]);
    expect(await revised).toMatchObject({ hostsReassessed: 1 });
    expect((await openFindings()).total).toBe(0);
  });

  it('re-assesses only hosts carrying a package a feed import touched', async () => {
    const a = await enrolledAgent('machine-a');
    const b = await enrolledAgent('machine-b');
    const invA = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }], 'machine-a');
    const invB = almaInventory([{ name: 'bash', version: '5.1.8-6.el9' }], 'machine-b');
    await a.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(invA), inventory: invA });
    await b.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(invB), inventory: invB });
    const first = await importJson('alma.json', [almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-18.el9_2', { cve: 'CVE-2026-1111' })]);
    expect(first).toMatchObject({ records: { inserted: 1, updated: 0, unchanged: 0, older: 0 }, hostsReassessed: 1 });
    expect((await openFindings()).findings).toMatchObject([{ advisory: 'ALSA-2026:0001', kev: false }]);

    const again = await importJson('alma.json', [almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-18.el9_2', { cve: 'CVE-2026-1111' })]);
    expect(again).toMatchObject({ records: { inserted: 0, updated: 0, unchanged: 1 }, hostsReassessed: 0 });

    // A KEV listing moves priorities where it applies, and re-assesses only hosts with findings for it.
    const kev = await importJson('kev.json', kevCatalog(['CVE-2026-1111']));
    expect(kev.documents).toEqual(['kev']);
    expect(kev.hostsReassessed).toBe(1);
    const unrelated = await importJson('kev.json', kevCatalog(['CVE-2026-1111', 'CVE-2026-9999'], '2026-11-21T15:00:00.000Z'));
    expect(unrelated.documents).toEqual(['kev']);
    expect(unrelated.hostsReassessed).toBe(0);
    expect((await openFindings()).findings).toMatchObject([{ advisory: 'ALSA-2026:0001', kev: true, priority: 'P1' }]);
  });

  it('keeps a newer record when an older copy is imported, so a withdrawal stays in force', async () => {
    const agent = await enrolledAgent();
    const inv = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
    await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inv), inventory: inv });
    const first = almaAdvisory('ALSA-2026:0009', 'openssl', '1:3.0.7-18.el9_2');
    await importJson('alma.json', [first]);
    expect((await openFindings()).total).toBe(1);

    const withdrawn = { ...first, modified: '2026-11-01T00:00:00Z', withdrawn: '2026-11-01T00:00:00Z' };
    expect(await importJson('alma.json', [withdrawn])).toMatchObject({ records: { inserted: 0, updated: 1, unchanged: 0, older: 0 } });
    expect((await openFindings()).total).toBe(0);

    // The old snapshot again: kept out, counted as older, and the finding stays closed.
    expect(await importJson('alma-old.json', [first])).toMatchObject({ records: { inserted: 0, updated: 0, unchanged: 0, older: 1 }, hostsReassessed: 0 });
    expect((await openFindings()).total).toBe(0);

    // The same revision with other content (another exporter, a correction) replaces the held copy.
    expect(await importJson('alma.json', [{ ...withdrawn, summary: 'Important: openssl security update (withdrawn)' }])).toMatchObject({
      records: { updated: 1, older: 0 },
    });
    // Within one file the newest copy of an id wins, whatever the order.
    const newest = { ...first, modified: '2026-12-01T00:00:00Z' };
    expect(await importJson('both.json', [newest, first])).toMatchObject({ records: { updated: 1, older: 0 } });
    expect((await openFindings()).findings).toMatchObject([{ advisory: 'ALSA-2026:0009', state: 'open' }]);
  });

  it('raises priority when a person makes a host tier 0 and internet-facing, which its agent cannot undo', async () => {
    await importJson('alma.json', [almaAdvisory('ALSA-2026:0003', 'openssl', '1:3.0.7-18.el9_2', { summary: 'Moderate: openssl update' })]);
    const agent = await enrolledAgent();
    const inv = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
    await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inv), inventory: inv });
    const before = (await openFindings()).findings[0]?.priority;
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/v1/hosts/${agent.hostId}`, headers: admin(t), payload: { attributes: { tier: 0, internetFacing: true } } });
    expect(patch.statusCode, patch.body).toBe(200);
    const after = (await openFindings()).findings[0]?.priority;
    expect(before && after && after < before).toBe(true);

    // The host's own agent configuration cannot lower what a person set; keys nobody set stay its own.
    const checkin = await agent.send('POST', '/api/v1/agent/checkin', { facts: almaFacts(), inventoryDigest: digestOf(inv), attributes: { tier: 3, internetFacing: false, owner: 'web team' } });
    expect(checkin.json()).toEqual({ intervalSeconds: 60, sendInventory: false, heldAttributes: ['internetFacing', 'tier'] });
    const host = (await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${agent.hostId}`, headers: admin(t) })).json<{ attributes: Record<string, unknown> }>();
    expect(host.attributes).toMatchObject({ tier: 0, internetFacing: true, owner: 'web team' });
    expect((await openFindings()).findings[0]?.priority).toBe(after);
    // Agreeing with the person is no conflict; a person clearing a key hands it back to the agent.
    expect((await agent.send('POST', '/api/v1/agent/checkin', { facts: almaFacts(), inventoryDigest: digestOf(inv), attributes: { tier: 0 } })).json()).toEqual({ intervalSeconds: 60, sendInventory: false });
    await t.app.inject({ method: 'PATCH', url: `/api/v1/hosts/${agent.hostId}`, headers: admin(t), payload: { attributes: { tier: null } } });
    expect((await agent.send('POST', '/api/v1/agent/checkin', { facts: almaFacts(), inventoryDigest: digestOf(inv), attributes: { tier: 2 } })).json()).toEqual({ intervalSeconds: 60, sendInventory: false });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${agent.hostId}`, headers: admin(t) })).json<{ attributes: { tier: number } }>().attributes.tier).toBe(2);
  });

  it('refuses replays, stale timestamps, altered bodies and one host speaking for another', async () => {
    const a = await enrolledAgent('machine-a');
    const b = await enrolledAgent('machine-b');
    const body = JSON.stringify({ facts: almaFacts('machine-a'), inventoryDigest: null });
    const headers = a.signedHeaders('POST', '/api/v1/agent/checkin', body);
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/agent/checkin', payload: body, headers });
    expect(first.statusCode, first.body).toBe(200);
    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/agent/checkin', payload: body, headers });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.message).toMatch(/replayed/);

    const stale = await a.send('POST', '/api/v1/agent/checkin', { facts: almaFacts('machine-a'), inventoryDigest: null }, { timestamp: String(t.clock.read().getTime() - 6 * 60_000) });
    expect(stale.statusCode).toBe(401);

    const altered = a.signedHeaders('POST', '/api/v1/agent/checkin', body);
    const tampered = await t.app.inject({ method: 'POST', url: '/api/v1/agent/checkin', payload: body.replace('web-01', 'web-99'), headers: altered });
    expect(tampered.statusCode).toBe(401);

    // A's key, claiming to be B: the signature is checked against B's pinned key.
    const forged = await a.send('POST', '/api/v1/agent/checkin', { facts: almaFacts('machine-b'), inventoryDigest: null }, { host: b.hostId });
    expect(forged.statusCode).toBe(401);
  });

  it('quarantines a second machine presenting an enrolled machine id, and a key used from another machine', async () => {
    await enrolledAgent('machine-a');
    const clone = new TestAgent(t);
    const res = await clone.enroll(await enrollToken(), almaFacts('machine-a', 'web-01-clone'));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'quarantined', quarantineReason: expect.stringMatching(/already enrolled/) });
    const refused = await clone.send('POST', '/api/v1/agent/checkin', { facts: almaFacts('machine-a'), inventoryDigest: null });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('PW_QUARANTINED');

    const b = await enrolledAgent('machine-b');
    const moved = await b.send('POST', '/api/v1/agent/checkin', { facts: almaFacts('machine-c'), inventoryDigest: null });
    expect(moved.statusCode).toBe(403);
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/hosts?status=quarantined', headers: admin(t) })).json<{ total: number }>();
    expect(listed.total).toBe(2);
  });

  it('spends enrollment tokens once and applies their attributes', async () => {
    const token = await enrollToken({ maxUses: 1, attributes: { tier: 1, environment: 'prod', tags: ['pci'] } });
    const first = new TestAgent(t);
    expect((await first.enroll(token, almaFacts('m1'))).statusCode).toBe(201);
    const second = new TestAgent(t);
    const again = await second.enroll(token, almaFacts('m2'));
    expect(again.statusCode).toBe(401);
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/hosts?tier=1&environment=prod&tag=pci', headers: admin(t) })).json<{ hosts: { id: string }[] }>();
    expect(list.hosts.map((h) => h.id)).toEqual([first.hostId]);
  });

  it('refuses bad input with a message naming the field', async () => {
    const badAttr = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: { attributes: { teir: 1 } } });
    expect(badAttr.statusCode).toBe(400);
    expect(badAttr.json().error.message).toMatch(/teir/);
    const unknownField = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: { maxUse: 1 } });
    expect(unknownField.statusCode).toBe(400);
    const deep = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: { ...admin(t), 'content-type': 'application/json' }, payload: '['.repeat(5000) + ']'.repeat(5000) });
    expect(deep.statusCode).toBe(400);
    expect(deep.json().error.code).toBe('PW_INPUT_TOO_DEEP');
    const huge = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: { ...admin(t), 'content-type': 'application/json' }, payload: JSON.stringify({ attributes: { owner: 'x'.repeat(2 * 1024 * 1024) } }) });
    expect(huge.statusCode).toBe(413);
    const badInventory = await (await enrolledAgent()).send('PUT', '/api/v1/agent/inventory', { digest: 'a'.repeat(64), inventory: { format: 'patchwise-inventory', version: 1, host: { name: 'x' }, packages: [{ name: 'openssl' }] } });
    expect(badInventory.statusCode).toBe(400);
    expect(badInventory.json().error.message).toMatch(/packages\[0\]/);
  });

  it('reconciles a CMDB export against the hosts seen, and flags end-of-life releases', async () => {
    const web = await enrolledAgent('0123456789abcdef0123456789abcdef', { tier: 2, environment: 'prod' });
    const old = new TestAgent(t);
    const oldFacts = { ...almaFacts('fedcba9876543210fedcba9876543210', 'legacy-01'), os: { id: 'debian', versionId: '10' } };
    expect((await old.enroll(await enrollToken(), oldFacts)).statusCode).toBe(201);
    // A machine that reports no machine id is still matched by the firmware serial its agent sends.
    const bare = new TestAgent(t);
    expect((await bare.enroll(await enrollToken(), { ...almaFacts('unused', 'renamed-box'), machineId: null, serial: 'CZ2150ABC7' })).statusCode).toBe(201);
    const csv =
      'hostname,machine_id,serial,tier,environment,os\n' +
      'web-01,0123456789abcdef0123456789abcdef,,1,prod,almalinux 9\ndb-01,,,0,prod,rhel 9\napp-03,,cz2150abc7,,,\n';
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/cmdb/import?filename=cmdb.csv', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(csv) });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toEqual({ assets: 3, problems: [], notExpected: 0, warnings: [] });
    const r = (await t.app.inject({ method: 'GET', url: '/api/v1/cmdb/reconcile', headers: admin(t) })).json();
    expect(r.matched).toMatchObject([
      { host: { id: web.hostId }, by: 'machine_id', mismatches: [{ field: 'tier', expected: '1', actual: '2' }] },
      { host: { id: bare.hostId }, by: 'serial' },
    ]);
    expect(r.missing).toMatchObject([{ asset: { hostname: 'db-01' }, reason: 'never-seen' }]);
    expect(r.unknown).toMatchObject([{ host: { id: old.hostId } }]);

    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/cmdb/import?filename=cmdb.csv', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from('hostname,tier\nx,9\n') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/line 2: tier/);

    const eol = (await t.app.inject({ method: 'GET', url: '/api/v1/hosts?eol=true', headers: admin(t) })).json<{ hosts: { id: string; eol: { status: string; reason: string } }[] }>();
    expect(eol.hosts.map((h) => h.id)).toEqual([old.hostId]);
    expect(eol.hosts[0]?.eol.reason).toMatch(/Debian 10/);
  });

  it('reports each host compliant, non-compliant (with reasons) or unknown', async () => {
    await importJson('alma.json', [
      almaAdvisory('ALSA-2026:0201', 'openssl', '1:3.0.7-18.el9_2', { summary: 'Critical: openssl security update' }),
      almaAdvisory('ALSA-2026:0202', 'bash', '5.1.8-9.el9', { summary: 'Low: bash security update' }),
    ]);
    const vulnerable = await enrolledAgent('machine-a');
    const invA = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }], 'machine-a');
    await vulnerable.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(invA), inventory: invA });
    const clean = await enrolledAgent('machine-b');
    const invB = almaInventory([{ name: 'bash', version: '5.1.8-6.el9' }], 'machine-b');
    await clean.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(invB), inventory: invB });
    const silent = await enrolledAgent('machine-c');
    const legacy = new TestAgent(t);
    expect((await legacy.enroll(await enrollToken(), { ...almaFacts('machine-d', 'legacy-01'), os: { id: 'debian', versionId: '10' } })).statusCode).toBe(201);
    const invD = { format: 'patchwise-inventory', version: 1, host: { name: 'legacy-01', os: { id: 'debian', versionId: '10' } }, packages: [{ name: 'bash', version: '5.0-4', arch: 'amd64' }] };
    await legacy.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(invD), inventory: invD });

    const report = async (query = '') => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/reports/compliance${query}`, headers: admin(t) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ summary: Record<string, number>; hosts: { id: string; status: string; reasons: string[] }[] }>();
    };
    const r = await report();
    const of = (id: string) => r.hosts.find((h) => h.id === id);
    expect(r.summary).toEqual({ hosts: 4, compliant: 1, nonCompliant: 2, unknown: 1, rate: 0.25 });
    expect(of(vulnerable.hostId)).toMatchObject({ status: 'non-compliant', reasons: [expect.stringMatching(/open security findings: P[12] 1/)] });
    expect(of(clean.hostId)).toMatchObject({ status: 'compliant', reasons: [] }); // a P4 finding is below the default P2
    expect(of(silent.hostId)).toMatchObject({ status: 'unknown' });
    expect(of(legacy.hostId)?.reasons.join()).toMatch(/Debian 10/);
    expect((await report('?failAt=P4')).summary).toMatchObject({ compliant: 0, nonCompliant: 3 });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/reports/compliance?failAt=P9', headers: admin(t) })).statusCode).toBe(400);

    // A supported Debian 12 host, with no Debian advisory held: no finding means nothing was looked at.
    const blind = new TestAgent(t);
    expect((await blind.enroll(await enrollToken(), { ...almaFacts('machine-e', 'deb12-01'), os: { id: 'debian', versionId: '12' } })).statusCode).toBe(201);
    const invE = { format: 'patchwise-inventory', version: 1, host: { name: 'deb12-01', os: { id: 'debian', versionId: '12' } }, packages: [{ name: 'bash', version: '5.2.15-2+b2', arch: 'amd64' }] };
    await blind.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(invE), inventory: invE });
    const after = await report();
    expect(after.summary).toEqual({ hosts: 5, compliant: 1, nonCompliant: 2, unknown: 2, rate: 0.2 });
    expect(after.hosts.find((h) => h.id === blind.hostId)).toMatchObject({ status: 'unknown', reasons: ['no advisories held for Debian:12: import or sync its feed'] });
  });

  it('records who changed what in the audit trail, and names the event edited behind its back', async () => {
    const agent = await enrolledAgent('machine-a', { tier: 2 });
    const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
    await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
    await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory }); // same digest: no new event
    await importJson('alma.json', [almaAdvisory('ALSA-2026:0301', 'openssl', '1:3.0.7-18.el9_2')]);
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/hosts/${agent.hostId}`, headers: admin(t), payload: { attributes: { tier: 0 } } });
    expect(patched.statusCode, patched.body).toBe(200);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/hosts/${agent.hostId}`, headers: admin(t), payload: { status: 'quarantined', reason: 'incident 42' } });

    const { events } = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: admin(t) })).json<{ events: { seq: number; action: string; actor: { kind: string; id: string; name: string | null }; target: { id: string }; before: string | null; after: string | null; details: Record<string, unknown> }[] }>();
    expect(events.map((e) => [e.seq, e.action, e.actor.kind])).toEqual([
      [1, 'enroll-token.create', 'user'],
      [2, 'host.enroll', 'agent'],
      [3, 'host.inventory.replace', 'agent'],
      [4, 'feeds.import', 'user'],
      [5, 'host.attributes.set', 'user'],
      [6, 'host.quarantine', 'user'],
    ]);
    expect(events[4]).toMatchObject({ actor: { name: 'admin' }, target: { id: agent.hostId }, details: { changed: ['tier'] } });
    expect(events[4]?.before).not.toBe(events[4]?.after);
    expect(events[2]).toMatchObject({ before: null, after: digestOf(inventory), details: { packages: 1 } });
    expect(events[3]).toMatchObject({ details: { inserted: 1 } });

    const verify = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin(t) })).json<{ ok: boolean; seq?: number; reason?: string; events: number }>();
    expect(await verify()).toMatchObject({ ok: true, events: 6 });
    await sql`update audit_events set actor_id = 'someone-else' where seq = 5`.execute(db.db);
    expect(await verify()).toMatchObject({ ok: false, seq: 5, reason: expect.stringMatching(/altered/) });
  });

  it('gives each finding an SLA due date by priority and tier, and lists the overdue ones', async () => {
    await importJson('alma.json', [
      almaAdvisory('ALSA-2026:0401', 'openssl', '1:3.0.7-18.el9_2', { summary: 'Critical: openssl security update' }),
      almaAdvisory('ALSA-2026:0402', 'bash', '5.1.8-9.el9', { summary: 'Low: bash security update' }),
    ]);
    const crown = await enrolledAgent('machine-a', { tier: 0 });
    const plain = await enrolledAgent('machine-b', { tier: 2 });
    const inventory = (machine: string) => almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }, { name: 'bash', version: '5.1.8-6.el9' }], machine);
    for (const [agent, machine] of [[crown, 'machine-a'], [plain, 'machine-b']] as const) {
      await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory(machine)), inventory: inventory(machine) });
    }
    const list = async (query: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/findings${query}`, headers: admin(t) })).json<{ total: number; findings: { host: string; hostId: string; package: string; priority: string; dueAt: string; sla: string }[] }>();
    const all = await list('?sort=package&limit=10');
    const openssl = all.findings.filter((f) => f.package === 'openssl');
    const days = (f: { dueAt: string }) => (Date.parse(f.dueAt) - t.clock.read().getTime()) / 86_400_000;
    // A vendor-critical advisory is P2 on both hosts; the tier-0 host gets half the window (15 days, not 30).
    expect(openssl.map((f) => [f.hostId === crown.hostId ? 'tier0' : 'tier2', f.priority, days(f)]).sort()).toEqual([
      ['tier0', 'P2', 15],
      ['tier2', 'P2', 30],
    ]);
    expect(all.findings.every((f) => f.sla === 'ok')).toBe(true);
    expect((await list('?overdue=true')).total).toBe(0);

    t.clock.advance(16 * 86_400_000); // past every tier-0 window of P1/P2, inside the tier-2 ones
    const overdue = await list('?overdue=true');
    expect(overdue.findings.map((f) => [f.hostId, f.package, f.sla])).toEqual([[crown.hostId, 'openssl', 'breached']]);

    // A policy apply that gives tier-0 P2 fixes 20 days puts that finding back inside its window at once.
    const sla = (await t.app.inject({ method: 'GET', url: '/api/v1/policy', headers: admin(t) })).json<{ sla: { days: Record<string, Record<string, number>> } }>().sla;
    const applied = await t.app.inject({ method: 'POST', url: '/api/v1/policy/apply', headers: admin(t), payload: { document: { version: 1, sla: { ...sla, days: { ...sla.days, P2: { ...sla.days.P2, '0': 20 } } } } } });
    expect(applied.statusCode, applied.body).toBe(200);
    expect((await list('?overdue=true')).total).toBe(0);
    expect(days((await list('?sort=package&limit=10')).findings.find((f) => f.hostId === crown.hostId && f.package === 'openssl')!)).toBe(4);
    t.clock.advance(5 * 86_400_000);
    expect((await list('?overdue=true')).findings.map((f) => [f.hostId, f.package])).toEqual([[crown.hostId, 'openssl']]);
    t.clock.advance(200 * 86_400_000);
    expect((await list('?overdue=true')).total).toBe(4);
  });

  it('resolves host groups when asked, so hosts move in and out as their attributes change', async () => {
    const put = (name: string, body: unknown) => t.app.inject({ method: 'PUT', url: `/api/v1/groups/${name}`, headers: admin(t), payload: body as Record<string, unknown> });
    expect((await put('prod-tier0', { description: 'crown jewels', selector: { tier: [0], environment: ['prod'] } })).statusCode).toBe(200);
    const members = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/groups/prod-tier0/hosts', headers: admin(t) })).json<{ hosts: { id: string }[] }>().hosts.map((h) => h.id);
    expect(await members()).toEqual([]);
    const a = await enrolledAgent('machine-a', { tier: 0, environment: 'prod' }); // enrolled after the group was made
    const b = await enrolledAgent('machine-b', { tier: 1, environment: 'prod' });
    expect(await members()).toEqual([a.hostId]);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/hosts/${b.hostId}`, headers: admin(t), payload: { attributes: { tier: 0 } } });
    expect((await members()).sort()).toEqual([a.hostId, b.hostId].sort());
    // Each member says, as the host list does, whether any advisory held covers it.
    type Listed = { id: string; advisoriesHeld: boolean | null };
    const grouped = (await t.app.inject({ method: 'GET', url: '/api/v1/groups/prod-tier0/hosts', headers: admin(t) })).json<{ hosts: Listed[] }>().hosts;
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: admin(t) })).json<{ hosts: Listed[] }>().hosts;
    expect(grouped.map((h) => [h.id, h.advisoriesHeld]).sort()).toEqual(listed.map((h) => [h.id, h.advisoriesHeld]).sort());
    expect(grouped.every((h) => typeof h.advisoriesHeld === 'boolean')).toBe(true);

    const bad = await put('prod-tier0', { selector: { tier: [7] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/selector\.tier/);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/groups/nope/hosts', headers: admin(t) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/groups/prod-tier0', headers: admin(t) })).statusCode).toBe(204);
    const actions = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: admin(t) })).json<{ events: { action: string }[] }>().events.map((e) => e.action);
    expect(actions.filter((x) => x.startsWith('group.'))).toEqual(['group.create', 'group.delete']);
  });

  it('defers findings under an exception another person approved, until it expires', async () => {
    await importJson('alma.json', [almaAdvisory('ALSA-2026:0501', 'openssl', '1:3.0.7-18.el9_2', { summary: 'Critical: openssl security update', cve: 'CVE-2026-5555' })]);
    const agent = await enrolledAgent('machine-a', { tier: 0 });
    const inv = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
    await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inv), inventory: inv });
    const second = await personHeaders(t, 'second-approver', [{ role: 'approver' }]);
    const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) => t.app.inject({ method, url, headers, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
    const expiresAt = new Date(t.clock.read().getTime() + 30 * 86_400_000).toISOString();

    const bad = await call('POST', '/api/v1/exceptions', admin(t), { host: 'web-01', category: 'risk-accepted', reason: 'x', owner: 'ops', expiresAt });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/advisory, package: name the advisory/);
    const requested = await call('POST', '/api/v1/exceptions', admin(t), { host: 'web-01', advisory: 'CVE-2026-5555', category: 'pending-test-capacity', reason: 'vendor build under test', owner: 'payments team', expiresAt });
    expect(requested.statusCode, requested.body).toBe(201);
    const id = requested.json<{ id: string; host: string; state: string }>().id;
    expect(requested.json()).toMatchObject({ host: agent.hostId, state: 'requested', inForce: false });

    const compliance = async () => (await call('GET', '/api/v1/reports/compliance', admin(t))).json<{ summary: { compliant: number } }>().summary.compliant;
    const findings = async () => (await call('GET', '/api/v1/findings', admin(t))).json<{ findings: { sla: string; exception: { id: string } | null }[] }>().findings;
    expect(await compliance()).toBe(0); // a request alone changes nothing

    const own = await call('POST', `/api/v1/exceptions/${id}/approve`, admin(t), {});
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toMatch(/requester of an exception cannot approve/);
    const approved = await call('POST', `/api/v1/exceptions/${id}/approve`, second, { comment: 'until the March window' });
    expect(approved.json()).toMatchObject({ state: 'approved', inForce: true, decidedBy: { name: 'second-approver' } });
    expect((await call('POST', `/api/v1/exceptions/${id}/approve`, second, {})).statusCode).toBe(409);

    expect(await compliance()).toBe(1);
    expect(await findings()).toMatchObject([{ sla: 'excepted', exception: { id } }]);
    t.clock.advance(20 * 86_400_000); // past the tier-0 SLA, inside the exception
    expect((await call('GET', '/api/v1/findings?overdue=true', admin(t))).json<{ total: number }>().total).toBe(0);

    t.clock.advance(11 * 86_400_000); // the exception ran out: the finding counts again, and is overdue
    expect(await compliance()).toBe(0);
    expect(await findings()).toMatchObject([{ sla: 'breached', exception: null }]);
    expect((await call('GET', '/api/v1/findings?overdue=true', admin(t))).json<{ total: number }>().total).toBe(1);
    const register = (await call('GET', '/api/v1/exceptions', admin(t))).json<{ exceptions: { state: string; inForce: boolean }[] }>().exceptions;
    expect(register).toMatchObject([{ state: 'expired', inForce: false, decidedBy: { name: 'second-approver' } }]);
    const actions = (await call('GET', '/api/v1/audit/events', admin(t))).json<{ events: { action: string; actor: { name: string | null } }[] }>().events.filter((e) => e.action.startsWith('exception.'));
    expect(actions.map((e) => [e.action, e.actor.name])).toEqual([
      ['exception.request', 'admin'],
      ['exception.approve', 'second-approver'],
    ]);
  });

  it('forgets replay nonces once they are too old to pass the freshness check', async () => {
    const agent = await enrolledAgent('machine-a');
    expect((await agent.send('POST', '/api/v1/agent/checkin', { facts: almaFacts(), inventoryDigest: null })).statusCode).toBe(200);
    const access = new AccessStore(tablesOf(db.db), t.clock.read);
    const held = async () => Number((await sql<{ n: string }>`select count(*) as n from access_nonces`.execute(db.db)).rows[0]?.n);
    expect(await held()).toBe(1); // the signed check-in's (enrollment is not signed)
    expect(await access.pruneNonces()).toBe(0);
    t.clock.advance(60 * 60_000);
    expect(await access.pruneNonces()).toBe(1);
    expect(await held()).toBe(0);
  });

  it('limits each agent separately (429), counted after authentication', async () => {

    const a = await enrolledAgent('machine-a');
    const b = await enrolledAgent('machine-b');
    const codes: number[] = [];
    for (let i = 0; i < 31; i++) codes.push((await a.send('POST', '/api/v1/agent/checkin', { facts: almaFacts('machine-a'), inventoryDigest: null })).statusCode);
    expect(codes.slice(0, 30).every((c) => c === 200)).toBe(true);
    const limited = await a.send('POST', '/api/v1/agent/checkin', { facts: almaFacts('machine-a'), inventoryDigest: null });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('PW_RATE_LIMITED');
    expect((await b.send('POST', '/api/v1/agent/checkin', { facts: almaFacts('machine-b'), inventoryDigest: null })).statusCode).toBe(200);
  });
});
