import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RolloutStore, parseStrategy, type JobManifest, type SignedJobManifest } from '@patchwise/core';
import { tablesOf } from '../src/database.js';
import { almaFacts, almaInventory } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, personHeaders, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const OLD = '1:3.0.7-16.el9_2';
const NEW = '1:3.0.7-27.el9';

/** Resolves once `check` holds, looking on every turn of the event loop (no fixed sleeps). */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.each(kinds)('dispatching whole waves on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  const ok = async <T>(method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>, headers = admin(t), status = 200): Promise<T> => {
    const res = await t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    expect(res.statusCode, res.body).toBe(status);
    return res.json<T>();
  };

  /** `n` prod hosts with openssl at OLD. */
  async function fleet(n: number): Promise<TestAgent[]> {
    const secret = (await ok<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: n, attributes: { environment: 'prod' } }, admin(t), 201)).token;
    const agents: TestAgent[] = [];
    for (let i = 0; i < n; i++) {
      const name = `h-${String(i).padStart(3, '0')}`;
      const agent = new TestAgent(t);
      expect((await agent.enroll(secret, almaFacts(`m-${name}`, name))).statusCode).toBe(201);
      const inventory = { ...almaInventory([{ name: 'openssl', version: OLD }], `m-${name}`), host: { name, machineId: `m-${name}`, os: { id: 'almalinux', versionId: '9.4' } } };
      const digest = createHash('sha256').update(JSON.stringify(inventory)).digest('hex');
      expect((await agent.send('PUT', '/api/v1/agent/inventory', { digest, inventory })).statusCode).toBe(200);
      agents.push(agent);
    }
    return agents;
  }

  /** A deployment of openssl NEW to every prod host at once, with a change approved by a second person. */
  async function allAtOnce(): Promise<{ id: number; changeId: string }> {
    const patchSet = (await ok<{ number: number }>('POST', '/api/v1/patch-sets', { name: 'openssl', targets: [{ ecosystem: 'AlmaLinux:9', package: 'openssl', version: NEW }] }, admin(t), 201)).number;
    const d = await ok<{ id: number }>('POST', '/api/v1/deployments', { name: 'all', patchSet, environment: 'prod', strategy: { canary: 0, waves: ['100%'], concurrency: '100%', soakMinutes: 0 } }, admin(t), 201);
    const alice = await personHeaders(t, 'alice', [{ role: 'operator' }]);
    const bob = await personHeaders(t, 'bob', [{ role: 'approver' }]);
    const change = await ok<{ id: string }>('POST', '/api/v1/changes', { kind: 'deployment', environment: 'prod', patchSet, title: 'openssl', reason: 'CVE' }, alice, 201);
    await ok('POST', `/api/v1/changes/${change.id}/approve`, {}, bob);
    return { id: d.id, changeId: change.id };
  }

  it('dispatches every host of a wave in one step, each with its own manifest, to long-polls waiting for it; then all reports at once complete it', async () => {
    const agents = await fleet(60);
    const d = await allAtOnce();
    const polls = agents.map((a) => a.send('POST', '/api/v1/agent/jobs', { waitSeconds: 30 }));
    await until(() => t.rollout.agentJobs.waitingHosts === agents.length, 'every long-poll to wait');
    await ok('POST', `/api/v1/deployments/${d.id}/start`, { changeId: d.changeId });

    const manifests = (await Promise.all(polls)).map((res) => {
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ jobs: SignedJobManifest[] }>().jobs.map((j) => JSON.parse(j.payload) as JobManifest);
    });
    const { jobs } = await ok<{ jobs: { id: string; hostId: string; state: string }[] }>('GET', `/api/v1/deployments/${d.id}/jobs`);
    const jobOf = new Map(jobs.map((j) => [j.hostId, j.id]));
    agents.forEach((agent, i) => {
      expect(manifests[i]).toHaveLength(1);
      expect(manifests[i]![0]).toMatchObject({ hostId: agent.hostId, jobId: jobOf.get(agent.hostId), deploymentId: d.id, targets: [{ name: 'openssl', version: NEW }] });
    });
    expect(jobs.every((j) => j.state === 'running')).toBe(true);
    const events = await ok<{ events: { action: string; details: { jobs?: number } }[] }>('GET', '/api/v1/audit/events?limit=1000');
    expect(events.events.filter((e) => e.action === 'deployment.dispatch').map((e) => e.details.jobs)).toEqual([60]);

    // Every host reports at once: each is recorded, each reply comes after a step that saw it.
    const at = t.clock.read().toISOString();
    const replies = await Promise.all(
      agents.map((agent, i) => {
        const m = manifests[i]![0]!;
        const report = { jobId: m.jobId, idempotencyKey: m.idempotencyKey, outcome: 'succeeded', previous: [{ name: 'openssl', version: OLD }], after: [{ name: 'openssl', version: NEW }], rebootRequired: false, rebooted: false, failure: null, rollbackFailed: false, commands: [], startedAt: at, finishedAt: at };
        return agent.send('POST', '/api/v1/agent/jobs/report', { report });
      }),
    );
    expect(replies.map((r) => r.json<{ recorded: boolean }>().recorded)).toEqual(agents.map(() => true));
    expect(await ok('GET', `/api/v1/deployments/${d.id}`)).toMatchObject({ deployment: { state: 'completed' }, waves: [{ install: { succeeded: 60 } }] });
    const after = await ok<{ events: { action: string }[] }>('GET', '/api/v1/audit/events?limit=1000');
    expect(after.events.filter((e) => e.action === 'deployment.completed')).toHaveLength(1);
  });

  it('reports arriving together are recorded in one go, yet each is answered or refused on its own, and the audit chain holds', async () => {
    const agents = await fleet(4);
    const d = await allAtOnce();
    await ok('POST', `/api/v1/deployments/${d.id}/start`, { changeId: d.changeId });
    const manifests = await Promise.all(agents.map(async (a) => JSON.parse((await a.send('POST', '/api/v1/agent/jobs', {})).json<{ jobs: SignedJobManifest[] }>().jobs[0]!.payload) as JobManifest));
    const at = t.clock.read().toISOString();
    const report = (m: JobManifest, over: Record<string, unknown> = {}) => ({ report: { jobId: m.jobId, idempotencyKey: m.idempotencyKey, outcome: 'succeeded', previous: [{ name: 'openssl', version: OLD }], after: [{ name: 'openssl', version: NEW }], rebootRequired: false, rebooted: false, failure: null, rollbackFailed: false, commands: [], startedAt: at, finishedAt: at, ...over } });
    const [a, b, c, e] = agents as [TestAgent, TestAgent, TestAgent, TestAgent];
    const [m0, m1, m2, m3] = manifests as [JobManifest, JobManifest, JobManifest, JobManifest];
    const replies = await Promise.all([
      a.send('POST', '/api/v1/agent/jobs/report', report(m0)),
      a.send('POST', '/api/v1/agent/jobs/report', report(m0)), // the same report twice at once
      b.send('POST', '/api/v1/agent/jobs/report', report(m2)), // another host's job
      c.send('POST', '/api/v1/agent/jobs/report', report(m2, { idempotencyKey: 'other' })),
      e.send('POST', '/api/v1/agent/jobs/report', report(m3, { outcome: 'failed', failure: { step: 'install', message: 'no space left' } })),
    ]);
    expect(replies.map((r) => r.statusCode)).toEqual([200, 200, 404, 400, 200]);
    expect(replies.map((r) => r.json<{ recorded?: boolean }>().recorded)).toEqual([true, false, undefined, undefined, true]);
    const { jobs } = await ok<{ jobs: { hostId: string; state: string; stateReason: string | null }[] }>('GET', `/api/v1/deployments/${d.id}/jobs`);
    expect(Object.fromEntries(jobs.map((j) => [j.hostId, [j.state, j.stateReason]]))).toEqual({
      [a.hostId]: ['succeeded', null],
      [b.hostId]: ['running', null],
      [c.hostId]: ['running', null],
      [e.hostId]: ['failed', 'install: no space left'],
    });
    expect(m1.hostId).toBe(b.hostId);
    const events = await ok<{ events: { action: string; target: { id: string } }[] }>('GET', '/api/v1/audit/events?limit=1000');
    expect(events.events.filter((x) => x.action.startsWith('job.')).map((x) => [x.action, x.target.id]).sort()).toEqual([['job.failed', m3.jobId], ['job.succeeded', m0.jobId]].sort());
    expect(await ok('GET', '/api/v1/audit/verify')).toMatchObject({ ok: true });
  });

  it('the store dispatches many jobs in one call, only those still pending, and hands out each host its manifests in one statement for many hosts', async () => {
    const store = new RolloutStore(tablesOf(t.db));
    const now = t.clock.read();
    const job = (hostId: string, skipped: string | null = null) => ({ hostId, hostName: hostId, cluster: null, wave: 0, manager: 'dnf', targets: [{ name: 'openssl', version: NEW }], skipped });
    const d = await store.createDeployment(
      { name: 'x', patchSet: 1, environment: 'prod', changeId: null, selection: { groups: [], hosts: [] }, strategy: parseStrategy({}), windows: [], hooks: { preSteps: [], postSteps: [], preChecks: [], postChecks: [] }, waveCount: 1, createdBy: { id: 'u', name: null } },
      [job('a'), job('b'), job('c', 'already has every target version')],
      now,
    );
    const ids = new Map((await store.jobs(d.id)).map((j) => [j.hostId, j.id]));
    const manifest = (host: string): SignedJobManifest => ({ payload: JSON.stringify({ host }), signature: '', keyId: '' });
    const soon = new Date(now.getTime() + 60_000);
    expect(await store.dispatch(['a', 'b', 'c'].map((h) => ({ jobId: ids.get(h)!, manifest: manifest(h), expiresAt: soon })), now)).toBe(2);
    expect((await store.jobs(d.id)).map((j) => [j.hostId, j.state, j.expiresAt?.getTime() ?? null])).toEqual([
      ['a', 'dispatched', soon.getTime()],
      ['b', 'dispatched', soon.getTime()],
      ['c', 'skipped', null],
    ]);
    expect(await store.hostsWithWork(now)).toEqual(new Set(['a', 'b']));

    const fetched = await store.fetchForHosts(['a', 'b', 'c', 'nobody', 'a'], now);
    expect(Object.fromEntries(fetched)).toEqual({ a: [manifest('a')], b: [manifest('b')] });
    expect((await store.jobs(d.id, { ids: [ids.get('a')!, ids.get('b')!] })).map((j) => [j.state, j.fetchedAt?.getTime()])).toEqual([
      ['running', now.getTime()],
      ['running', now.getTime()],
    ]);
    expect(await store.hostsWithWork(now)).toEqual(new Set());
    // A fetched job is handed out again until it reports, but not once its manifest expired.
    expect(await store.fetchForHost('a', new Date(now.getTime() + 1000))).toEqual([manifest('a')]);
    expect(await store.fetchForHost('a', soon)).toEqual([]);
  });

  it('a long-poll whose agent hung up is let go, and fetches nothing: the job stays dispatched for the agent to fetch', async () => {
    const [agent] = await fleet(1);
    const d = await allAtOnce();
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const body = JSON.stringify({ waitSeconds: 30 });
    const poll = request(new URL('/api/v1/agent/jobs', address), { method: 'POST', headers: agent!.signedHeaders('POST', '/api/v1/agent/jobs', body) });
    poll.on('error', () => undefined); // the socket is destroyed on purpose
    poll.end(body);
    await until(() => t.rollout.agentJobs.waitingHosts === 1, 'the long-poll to wait');
    poll.destroy();
    await until(() => t.rollout.agentJobs.waitingHosts === 0, 'the server to let the long-poll go');

    await ok('POST', `/api/v1/deployments/${d.id}/start`, { changeId: d.changeId });
    const { jobs } = await ok<{ jobs: { state: string }[] }>('GET', `/api/v1/deployments/${d.id}/jobs`);
    expect(jobs.map((j) => j.state)).toEqual(['dispatched']);
    const res = await agent!.send('POST', '/api/v1/agent/jobs', {});
    expect(res.json<{ jobs: unknown[] }>().jobs).toHaveLength(1);
  });
});
