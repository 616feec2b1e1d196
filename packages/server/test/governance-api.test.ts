/**
 * Governance over the API: patch baselines (decisions, precedence, default, compliance), the
 * emergency lane, the SLA clock (publication start, restart at exception expiry) and the
 * exception register, on PGlite and PostgreSQL, with the test clock moved instead of waiting.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSlaPolicy, type DatabaseHandle, type SlaPolicy } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { almaAdvisory, almaFacts, almaInventory, kevCatalog } from './support/fixtures.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, openTestApp, personHeaders, type TestApp } from './support/test-app.js';

const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');
const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const DAY = 86_400_000;

interface Finding {
  id: string;
  hostId: string;
  advisory: string;
  package: string;
  priority: string;
  published: string | null;
  slaStart: string;
  dueAt: string;
  sla: string;
  baseline: { name: string; state: string; approvesAt: string | null; reason: string };
  lane: { lane: string; reasons: string[] };
}

describe.each(kinds)('governance API on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  let t: TestApp;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db.close();
  });
  afterEach(async () => {
    await t.close();
  });

  const open = async (slaPolicy?: SlaPolicy) => {
    t = await openTestApp(db, slaPolicy ? { slaPolicy } : {});
  };
  const call = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown, headers = admin(t)) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const ok = async <T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown, headers = admin(t)): Promise<T> => {
    const res = await call(method, url, payload, headers);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json<T>();
  };

  async function importFile(filename: string, content: string) {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/feeds/import?filename=${filename}`, headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(content) });
    expect(res.statusCode, res.body).toBe(200);
  }

  /** An enrolled host that sent this inventory. */
  async function host(machine: string, name: string, attributes: Record<string, unknown>, packages: { name: string; version: string }[]) {
    const { token } = await ok<{ token: string }>('POST', '/api/v1/enroll-tokens', { attributes });
    const agent = new TestAgent(t);
    expect((await agent.enroll(token, almaFacts(machine, name))).statusCode).toBe(201);
    const inventory = { ...almaInventory(packages, machine), host: { name, machineId: machine, os: { id: 'almalinux', versionId: '9.4' } } };
    const res = await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
    expect(res.statusCode, res.body).toBe(200);
    return agent.hostId;
  }

  const findings = async (query = '') => (await ok<{ total: number; findings: Finding[] }>('GET', `/api/v1/findings?limit=1000${query}`)).findings;
  const compliance = async () => (await ok<{ hosts: { id: string; status: string; reasons: string[]; baseline: string; decisions: Record<string, number> }[] }>('GET', '/api/v1/reports/compliance')).hosts;

  it('decides each fix by the baseline of the host (precedence, default, built-in) and judges compliance by it', async () => {
    await open();
    await importFile('alma.json', JSON.stringify([
      almaAdvisory('ALSA-2026:1001', 'openssl', '1:3.0.7-18.el9_2', { summary: 'Important: openssl security update' }),
      almaAdvisory('ALSA-2026:1002', 'curl', '7.76.1-30.el9', { summary: 'Low: curl security update' }),
      almaAdvisory('ALSA-2026:1003', 'bash', '5.1.8-9.el9', { summary: 'Critical: bash security update' }),
    ]));
    const packages = [{ name: 'openssl', version: '1:3.0.7-16.el9_2' }, { name: 'curl', version: '7.76.1-20.el9' }, { name: 'bash', version: '5.1.8-6.el9' }];
    const web = await host('machine-a', 'web-01', { tier: 2, environment: 'prod' }, packages);
    const crown = await host('machine-b', 'pay-01', { tier: 0, environment: 'prod' }, packages);
    const lab = await host('machine-c', 'lab-01', { tier: 2, environment: 'test' }, packages);
    await ok('PUT', '/api/v1/groups/prod', { selector: { environment: ['prod'] } });
    await ok('PUT', '/api/v1/groups/tier0', { selector: { tier: [0] } });

    // Before any baseline, the built-in rule: security findings at P2 or above.
    expect((await compliance()).map((h) => [h.id, h.baseline, h.status])).toEqual(expect.arrayContaining([[web, 'built-in', 'non-compliant'], [lab, 'built-in', 'non-compliant']]));

    await ok('PUT', '/api/v1/baselines/prod-slow', {
      group: 'prod',
      precedence: 20,
      rules: [{ types: ['security'], minSeverity: 'high', afterDays: 90 }],
      holds: [{ package: 'bash', version: '5.1.8-8.el9', ecosystem: 'AlmaLinux', reason: 'shell scripts certified on 5.1.8-8' }],
    });
    await ok('PUT', '/api/v1/baselines/crown-fast', { group: 'tier0', precedence: 10, rules: [{ types: ['security'], afterDays: 0 }], reject: ['ALSA-2026:1002'] });

    const decided = async () => new Map((await findings()).map((f) => [`${f.hostId}/${f.package}`, f.baseline]));
    let d = await decided();
    // web-01 is only in prod: openssl waits 90 days after publication (2026-09-01), curl is below the rule, bash is held.
    expect(d.get(`${web}/openssl`)).toEqual({ name: 'prod-slow', state: 'pending', approvesAt: '2026-11-30T00:00:00.000Z', reason: expect.stringMatching(/^approved on 2026-11-30 by rule 1 of baseline prod-slow/) });
    expect(d.get(`${web}/curl`)).toMatchObject({ state: 'unapproved' });
    expect(d.get(`${web}/bash`)).toMatchObject({ state: 'held', reason: expect.stringMatching(/bash is held at 5\.1\.8-8\.el9 .*the fix 5\.1\.8-9\.el9 is beyond it/) });
    // pay-01 is in both groups; crown-fast has the lower precedence.
    expect([d.get(`${crown}/openssl`), d.get(`${crown}/curl`), d.get(`${crown}/bash`)]).toMatchObject([
      { name: 'crown-fast', state: 'approved' },
      { name: 'crown-fast', state: 'rejected' },
      { name: 'crown-fast', state: 'approved' },
    ]);
    expect(d.get(`${lab}/bash`)).toMatchObject({ name: 'built-in', state: 'approved' });
    const one = (await findings()).find((f) => f.hostId === web && f.package === 'openssl')!;
    expect(one.published).toBe('2026-09-01T00:00:00.000Z');
    expect(await ok('GET', `/api/v1/findings/${one.id}`)).toEqual(one);
    expect((await call('GET', '/api/v1/findings/999999')).statusCode).toBe(404);

    let report = new Map((await compliance()).map((h) => [h.id, h]));
    // A held critical fix and a pending one are not required: web-01 complies with its baseline.
    expect(report.get(web)).toMatchObject({ baseline: 'prod-slow', status: 'compliant', decisions: { approved: 0, pending: 1, unapproved: 1, held: 1, rejected: 0 } });
    expect(report.get(crown)).toMatchObject({ baseline: 'crown-fast', status: 'non-compliant', reasons: ['fixes approved by baseline crown-fast not applied: P2 2'] });
    expect(report.get(lab)).toMatchObject({ baseline: 'built-in', status: 'non-compliant' });

    t.clock.advance(8 * DAY); // 2026-11-30: the 90 days since publication are over
    d = await decided();
    expect(d.get(`${web}/openssl`)).toMatchObject({ state: 'approved', approvesAt: '2026-11-30T00:00:00.000Z' });
    report = new Map((await compliance()).map((h) => [h.id, h]));
    expect(report.get(web)).toMatchObject({ status: 'non-compliant', reasons: ['fixes approved by baseline prod-slow not applied: P3 1'] });

    // A default baseline takes the hosts no group's baseline does.
    await ok('PUT', '/api/v1/baselines/fallback', { description: 'KEV only', rules: [] });
    report = new Map((await compliance()).map((h) => [h.id, h]));
    expect(report.get(lab)).toMatchObject({ baseline: 'fallback', status: 'compliant' });
    const shown = await ok<{ hosts: { id: string }[] }>('GET', '/api/v1/baselines/prod-slow');
    expect(shown.hosts.map((h) => h.id)).toEqual([web]);
    const listed = await ok<{ baselines: { name: string }[] }>('GET', '/api/v1/baselines');
    expect(listed.baselines.map((b) => b.name)).toEqual(['crown-fast', 'prod-slow', 'fallback']);

    // Deleting crown-fast hands pay-01 to the next baseline that applies.
    expect((await call('DELETE', '/api/v1/baselines/crown-fast')).statusCode).toBe(204);
    expect((await decided()).get(`${crown}/openssl`)).toMatchObject({ name: 'prod-slow' });

    const actions = (await ok<{ events: { action: string; target: { id: string } }[] }>('GET', '/api/v1/audit/events')).events.filter((e) => e.action.startsWith('baseline.'));
    expect(actions.map((e) => [e.action, e.target.id])).toEqual([
      ['baseline.create', 'prod-slow'],
      ['baseline.create', 'crown-fast'],
      ['baseline.create', 'fallback'],
      ['baseline.delete', 'crown-fast'],
    ]);
  });

  it('refuses baselines that are invalid, clash or name a missing group, naming why', async () => {
    await open();
    await ok('PUT', '/api/v1/groups/prod', { selector: { environment: ['prod'] } });
    await ok('PUT', '/api/v1/baselines/a', { group: 'prod', precedence: 1, rules: [] });
    await ok('PUT', '/api/v1/baselines/default', { rules: [] });
    const refused = async (name: string, body: unknown, status: number, message: RegExp) => {
      const res = await call('PUT', `/api/v1/baselines/${name}`, body);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json<{ error: { message: string } }>().error.message).toMatch(message);
    };
    await refused('b', { group: 'prod', precedence: 1 }, 409, /baseline a has precedence 1 already/);
    await refused('c', { rules: [] }, 409, /baseline default is the default already/);
    await refused('d', { group: 'nope', precedence: 2 }, 404, /no host group named nope/);
    await refused('e', { group: 'prod', precedence: 3, rules: [{ types: ['security'], afterDays: -1 }] }, 400, /rules\[0\]\.afterDays/);
    await refused('f', { name: 'g' }, 400, /name: the body names "g", the path f/);
    // Replacing a baseline keeps its own precedence without clashing with itself.
    await ok('PUT', '/api/v1/baselines/a', { group: 'prod', precedence: 1, rules: [{ types: ['bugfix'], afterDays: 7 }] });
    expect((await call('GET', '/api/v1/baselines/zzz')).statusCode).toBe(404);
    expect((await call('DELETE', '/api/v1/baselines/zzz')).statusCode).toBe(404);
    // A group a baseline names stays until the baseline lets go of it.
    const inUse = await call('DELETE', '/api/v1/groups/prod');
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json<{ error: { message: string } }>().error.message).toMatch(/group prod is named by baseline a/);
    expect((await call('DELETE', '/api/v1/baselines/a')).statusCode).toBe(204);
    expect((await call('DELETE', '/api/v1/groups/prod')).statusCode).toBe(204);
  });

  it('puts KEV, CVSS ≥ 9.0 and high EPSS on internet-facing hosts in the emergency lane; the filter agrees with the view', async () => {
    await open();
    const critical = { ...almaAdvisory('ALSA-2026:2004', 'zlib', '1.2.11-41.el9', { cve: 'CVE-2026-2004' }), severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] };
    await importFile('alma.json', JSON.stringify([
      almaAdvisory('ALSA-2026:2001', 'openssl', '1:3.0.7-18.el9_2', { cve: 'CVE-2026-2001', summary: 'Moderate: openssl security update' }),
      almaAdvisory('ALSA-2026:2002', 'curl', '7.76.1-30.el9', { cve: 'CVE-2026-2002', summary: 'Moderate: curl security update' }),
      almaAdvisory('ALSA-2026:2003', 'bash', '5.1.8-9.el9', { cve: 'CVE-2026-2003', summary: 'Moderate: bash security update' }),
      critical,
    ]));
    await importFile('kev.json', JSON.stringify(kevCatalog(['CVE-2026-2001'])));
    await importFile('epss.csv', '#model_version:v2023.03.01,score_date:2026-11-20T00:00:00+0000\ncve,epss,percentile\nCVE-2026-2002,0.71,0.99\nCVE-2026-2003,0.02,0.40\n');
    const packages = [{ name: 'openssl', version: '1:3.0.7-16.el9_2' }, { name: 'curl', version: '7.76.1-20.el9' }, { name: 'bash', version: '5.1.8-6.el9' }, { name: 'zlib', version: '1.2.11-40.el9' }];
    const edge = await host('machine-a', 'edge-01', { internetFacing: true }, packages);
    const inside = await host('machine-b', 'db-01', { internetFacing: false }, packages);

    const all = await findings();
    expect(all).toHaveLength(8);
    const key = (f: Finding) => `${f.hostId === edge ? 'edge' : 'inside'}/${f.package}`;
    const emergency = (await findings('&lane=emergency')).map(key).sort();
    expect(emergency).toEqual(['edge/curl', 'edge/openssl', 'edge/zlib', 'inside/openssl', 'inside/zlib']);
    expect((await findings('&lane=scheduled')).map(key).sort()).toEqual(['edge/bash', 'inside/bash', 'inside/curl']);
    for (const f of all) expect(f.lane.lane, key(f)).toBe(emergency.includes(key(f)) ? 'emergency' : 'scheduled');
    const reasons = new Map(all.map((f) => [key(f), f.lane.reasons]));
    expect(reasons.get('edge/openssl')).toEqual(['in CISA KEV']);
    expect(reasons.get('edge/zlib')).toEqual(['CVSS 9.8 ≥ 9.0']);
    expect(reasons.get('edge/curl')).toEqual(['EPSS 0.71 ≥ 0.5 on an internet-facing host']);
    expect(reasons.get('inside/curl')).toEqual(['no emergency criterion met']);
    expect(inside).not.toBe(edge);
    expect((await call('GET', '/api/v1/findings?lane=urgent')).statusCode).toBe(400);
  });

  it('starts the SLA clock at publication when configured, and restarts it when an exception expires', async () => {
    await open(parseSlaPolicy({ clock: 'published', restartOnExceptionExpiry: true }, 'sla.yaml'));
    // Published 2026-09-01; "Critical" is P2 on a tier-2 host: 30 days, so due 2026-10-01, before it was even seen.
    await importFile('alma.json', JSON.stringify([
      almaAdvisory('ALSA-2026:3001', 'openssl', '1:3.0.7-18.el9_2', { summary: 'Critical: openssl security update' }),
      almaAdvisory('ALSA-2026:3002', 'bash', '5.1.8-9.el9', { summary: 'Critical: bash security update' }),
    ]));
    const id = await host('machine-a', 'web-01', { tier: 2 }, [{ name: 'openssl', version: '1:3.0.7-16.el9_2' }, { name: 'bash', version: '5.1.8-6.el9' }]);
    const byPackage = async (query = '') => new Map((await findings(query)).map((f) => [f.package, f]));
    let now = await byPackage();
    expect(now.get('openssl')).toMatchObject({ slaStart: '2026-09-01T00:00:00.000Z', dueAt: '2026-10-01T00:00:00.000Z', sla: 'breached' });
    expect([...(await byPackage('&overdue=true')).keys()].sort()).toEqual(['bash', 'openssl']);

    // An approved exception on openssl for 10 days; when it runs out, openssl gets a fresh 30-day window.
    const expiresAt = new Date(t.clock.read().getTime() + 10 * DAY).toISOString();
    const requested = await ok<{ id: string }>('POST', '/api/v1/exceptions', { host: id, package: 'openssl', category: 'pending-test-capacity', reason: 'rebuild under test', owner: 'web team', expiresAt });
    const second = await personHeaders(t, 'second-approver', [{ role: 'approver' }]);
    await ok('POST', `/api/v1/exceptions/${requested.id}/approve`, {}, second);
    expect([...(await byPackage('&overdue=true')).keys()]).toEqual(['bash']);

    t.clock.advance(11 * DAY);
    now = await byPackage();
    expect(now.get('openssl')).toMatchObject({ slaStart: expiresAt, dueAt: new Date(Date.parse(expiresAt) + 30 * DAY).toISOString(), sla: 'ok' });
    expect(now.get('bash')).toMatchObject({ slaStart: '2026-09-01T00:00:00.000Z', sla: 'breached' });
    expect([...(await byPackage('&overdue=true')).keys()]).toEqual(['bash']);

    t.clock.advance(30 * DAY); // the restarted window is over too
    expect((await byPackage()).get('openssl')).toMatchObject({ sla: 'breached' });
    expect([...(await byPackage('&overdue=true')).keys()].sort()).toEqual(['bash', 'openssl']);
  });

  it('fills in the publication date of a finding stored without one at its next re-assessment', async () => {
    await open(parseSlaPolicy({ clock: 'published' }, 'sla.yaml'));
    await importFile('alma.json', JSON.stringify([almaAdvisory('ALSA-2026:4001', 'openssl', '1:3.0.7-18.el9_2', { summary: 'Critical: openssl security update' })]));
    const { token } = await ok<{ token: string }>('POST', '/api/v1/enroll-tokens', { attributes: { tier: 2 } });
    const agent = new TestAgent(t);
    expect((await agent.enroll(token, almaFacts())).statusCode).toBe(201);
    const send = async (packages: { name: string; version: string }[]) => {
      const inventory = almaInventory(packages);
      expect((await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory })).statusCode).toBe(200);
    };
    await send([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
    // As a row stored before migration 0008 looks (moved by migration 0009 under a detail keyed
    // in SQL): no publication date, so the clock counts from first seen.
    const undated = '00000000-0000-4000-8000-000000000001';
    await sql`insert into findings_details select ${undated}::uuid, advisory_id, ecosystem, package, installed, fixed, type, severity, cvss, kev, epss, priority, reasons, aliases, summary, null from findings_details`.execute(db.db);
    await sql`update findings_rows set detail_id = ${undated}::uuid`.execute(db.db);
    await sql`update findings_sets set details = array_fill(${undated}::uuid, array[cardinality(details)])`.execute(db.db);
    expect((await findings())[0]).toMatchObject({ published: null, slaStart: '2026-11-22T10:00:00.000Z', sla: 'ok' });
    // A new inventory whose only difference for this finding is the missing date re-assesses it.
    await send([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }, { name: 'bash', version: '5.1.8-6.el9' }]);
    expect((await findings())[0]).toMatchObject({ hostId: agent.hostId, published: '2026-09-01T00:00:00.000Z', slaStart: '2026-09-01T00:00:00.000Z', sla: 'breached' });
  });

  it('keeps a register of exceptions with their scope, owner, approver, revoker, expiry and state', async () => {
    await open();
    const id = await host('machine-a', 'web-01', { tier: 2 }, [{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]);
    await ok('PUT', '/api/v1/groups/prod', { selector: { tier: [2] } });
    const second = await personHeaders(t, 'second-approver', [{ role: 'approver' }]);
    const at = (days: number) => new Date(t.clock.read().getTime() + days * DAY).toISOString();
    const request = async (days: number, scope: Record<string, string>) =>
      (await ok<{ id: string }>('POST', '/api/v1/exceptions', { ...scope, advisory: 'CVE-2026-0001', category: 'risk-accepted', reason: 'r', owner: 'ops', expiresAt: at(days) })).id;
    const soon = await request(5, { host: 'web-01' });
    const later = await request(60, { group: 'prod' });
    const revoked = await request(30, { host: id });
    const rejected = await request(30, { host: id });
    const lapsed = await request(3, { host: id });
    const pending = await request(10, { host: id });
    for (const e of [soon, later, revoked, lapsed]) await ok('POST', `/api/v1/exceptions/${e}/approve`, {}, second);
    await ok('POST', `/api/v1/exceptions/${rejected}/reject`, { comment: 'no' }, second);
    await ok('POST', `/api/v1/exceptions/${revoked}/revoke`, { comment: 'fixed upstream' });
    t.clock.advance(4 * DAY); // `lapsed` ran out yesterday

    type Entry = { id: string; state: string; inForce: boolean; host: string | null; hostName: string | null; group: string | null; owner: string; category: string; expiresAt: string; decidedBy: { name: string } | null; revokedBy: { name: string } | null };
    const register = async (query = '') => (await ok<{ exceptions: Entry[] }>('GET', `/api/v1/exceptions${query}`)).exceptions;
    const all = new Map((await register()).map((e) => [e.id, e]));
    expect([soon, later, revoked, rejected, lapsed, pending].map((e) => all.get(e)?.state)).toEqual(['approved', 'approved', 'revoked', 'rejected', 'expired', 'requested']);
    expect(all.get(soon)).toMatchObject({ host: id, hostName: 'web-01', group: null, owner: 'ops', category: 'risk-accepted', inForce: true, decidedBy: { name: 'second-approver' }, revokedBy: null });
    expect(all.get(later)).toMatchObject({ host: null, hostName: null, group: 'prod' });
    // Revoking keeps who approved it beside who ended it.
    expect(all.get(revoked)).toMatchObject({ inForce: false, decidedBy: { name: 'second-approver' }, revokedBy: { name: 'admin' } });
    expect((await register('?state=expired')).map((e) => e.id)).toEqual([lapsed]);
    // Exceptions made at the same instant have no order between them: compare as sets.
    expect((await register('?state=approved')).map((e) => e.id).sort()).toEqual([soon, later].sort());
    expect((await register('?expiringWithinDays=14')).map((e) => e.id).sort()).toEqual([soon, pending].sort());
    expect((await register('?expiringWithinDays=14&state=approved')).map((e) => e.id)).toEqual([soon]);
    expect((await call('GET', '/api/v1/exceptions?expiringWithinDays=0')).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/exceptions?state=lapsed')).statusCode).toBe(400);
  });
});
