import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { almaAdvisory, almaFacts, almaInventory } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, personHeaders, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');

describe.each(kinds)('patch sets on %s', (kind) => {
  let t: TestApp;
  let db: DatabaseHandle<Database>;
  eachTestApp(kind, (app, handle) => {
    t = app;
    db = handle;
  });

  async function fleet() {
    const advisories = [almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-18.el9_2'), almaAdvisory('ALSA-2026:0002', 'openssl', '1:3.0.7-100.el9_2'), almaAdvisory('ALSA-2026:0003', 'curl', '7.76.1-30.el9')];
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=alma.json', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify(advisories)) });
    expect(imported.statusCode, imported.body).toBe(200);
    for (const [machine, name, packages] of [
      ['m1', 'web-01', [{ name: 'openssl', version: '1:3.0.7-16.el9_2' }, { name: 'curl', version: '7.76.1-20.el9' }]],
      ['m2', 'web-02', [{ name: 'openssl', version: '1:3.0.7-16.el9_2' }]],
    ] as const) {
      const secret = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
      const agent = new TestAgent(t);
      expect((await agent.enroll(secret, almaFacts(machine, name))).statusCode).toBe(201);
      const inventory = almaInventory([...packages], machine);
      expect((await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory })).statusCode).toBe(200);
    }
  }

  it('makes a numbered patch set from open findings: the highest fix per package, and what it fixes on how many hosts', async () => {
    await fleet();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/patch-sets', headers: admin(t), payload: { name: 'December', fromFindings: {} } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      number: 1,
      source: 'findings',
      targets: [
        { ecosystem: 'AlmaLinux:9', package: 'curl', version: '7.76.1-30.el9' },
        { ecosystem: 'AlmaLinux:9', package: 'openssl', version: '1:3.0.7-100.el9_2' },
      ],
      createdBy: { name: 'admin' },
    });
    expect(res.json<{ fixes: { advisory: string; hosts: number }[] }>().fixes.map((f) => [f.advisory, f.hosts]).sort()).toEqual([
      ['ALSA-2026:0001', 2],
      ['ALSA-2026:0002', 2],
      ['ALSA-2026:0003', 1],
    ]);
    const onlyWeb2 = await t.app.inject({ method: 'POST', url: '/api/v1/patch-sets', headers: admin(t), payload: { name: 'web-02 only', fromFindings: { host: 'web-02', advisory: 'ALSA-2026:0001' } } });
    expect(onlyWeb2.json()).toMatchObject({ number: 2, targets: [{ package: 'openssl', version: '1:3.0.7-18.el9_2' }], fixes: [{ advisory: 'ALSA-2026:0001', hosts: 1 }] });
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/patch-sets', headers: admin(t) })).json<{ patchSets: { number: number }[] }>().patchSets;
    expect(list.map((p) => p.number)).toEqual([2, 1]);
    const nothing = await t.app.inject({ method: 'POST', url: '/api/v1/patch-sets', headers: admin(t), payload: { name: 'empty', fromFindings: { advisory: 'ALSA-9999:0001' } } });
    expect(nothing.statusCode).toBe(400);
    expect(nothing.json().error.message).toMatch(/no targets/);
  });

  it('makes a patch set of what the baselines require now: no rejected, unapproved or excepted fix', async () => {
    await fleet();
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/baselines/everyone', headers: admin(t), payload: { rules: [{ types: ['security'], afterDays: 0 }], reject: ['ALSA-2026:0002'] } });
    expect(put.statusCode, put.body).toBe(200);
    // web-01's curl fix is deferred by an approved exception.
    const expiresAt = new Date(t.clock.read().getTime() + 30 * 86_400_000).toISOString();
    const asked = await t.app.inject({ method: 'POST', url: '/api/v1/exceptions', headers: admin(t), payload: { host: 'web-01', package: 'curl', category: 'risk-accepted', reason: 'r', owner: 'o', expiresAt } });
    expect(asked.statusCode, asked.body).toBe(201);
    const approver = await personHeaders(t, 'ann', [{ role: 'approver' }]);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/exceptions/${asked.json<{ id: string }>().id}/approve`, headers: approver, payload: {} })).statusCode).toBe(200);

    const res = await t.app.inject({ method: 'POST', url: '/api/v1/patch-sets', headers: admin(t), payload: { name: 'baseline', fromBaseline: {} } });
    expect(res.statusCode, res.body).toBe(201);
    // openssl to the fix of ALSA-2026:0001 only (0002 is rejected); curl not at all.
    expect(res.json()).toMatchObject({ source: 'baseline', targets: [{ ecosystem: 'AlmaLinux:9', package: 'openssl', version: '1:3.0.7-18.el9_2' }] });
    expect(res.json<{ targets: unknown[] }>().targets).toHaveLength(1);
    expect(res.json<{ fixes: { advisory: string; hosts: number }[] }>().fixes.map((f) => [f.advisory, f.hosts])).toEqual([['ALSA-2026:0001', 2]]);

    const both = await t.app.inject({ method: 'POST', url: '/api/v1/patch-sets', headers: admin(t), payload: { name: 'x', fromBaseline: {}, fromFindings: {} } });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.message).toMatch(/one of fromFindings, fromBaseline or targets/);
  });

  it('takes hand-written targets, checks their versions, and never lets a stored patch set change', async () => {
    await fleet();
    const manual = await t.app.inject({ method: 'POST', url: '/api/v1/patch-sets', headers: admin(t), payload: { name: 'openssl only', targets: [{ ecosystem: 'AlmaLinux:9', package: 'openssl', version: '1:3.0.7-18.el9_2' }] } });
    expect(manual.statusCode, manual.body).toBe(201);
    expect(manual.json()).toMatchObject({ source: 'manual', fixes: [{ advisory: 'ALSA-2026:0001', hosts: 2 }] });
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/patch-sets', headers: admin(t), payload: { name: 'x', targets: [{ ecosystem: 'AlmaLinux:9', package: 'openssl', version: '1:' }] } });
    expect(bad.statusCode).toBe(400);
    await expect(sql`update patchsets_sets set name = 'edited'`.execute(db.db)).rejects.toThrow(/patch sets are immutable/);
    await expect(sql`delete from patchsets_sets`.execute(db.db)).rejects.toThrow(/patch sets are immutable/);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/patch-sets/1', headers: admin(t) })).json()).toMatchObject({ name: 'openssl only' });
    const viewer = await personHeaders(t, 'vic', [{ role: 'viewer' }]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/patch-sets/1', headers: viewer })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/patch-sets', headers: viewer, payload: { name: 'x', fromFindings: {} } })).statusCode).toBe(403);
  });
});
