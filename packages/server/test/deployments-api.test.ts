import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JobManifest, JobReport, SignedJobManifest } from '@patchwise/core';
import { almaAdvisory, almaFacts, almaInventory } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, personHeaders, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');
const OLD = '1:3.0.7-16.el9_2';
const NEW = '1:3.0.7-27.el9';

describe.each(kinds)('deployments on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string>, payload?: Record<string, unknown>) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const ok = async <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>, status = 200): Promise<T> => {
    const res = await call(method, url, admin(t), payload);
    expect(res.statusCode, res.body).toBe(status);
    return res.json<T>();
  };

  /** Hosts in prod, each with openssl at OLD; `db-*` and `web-*` hosts are clusters `db` and `web`. */
  async function fleet(names: readonly string[], environment = 'prod'): Promise<Map<string, TestAgent>> {
    const agents = new Map<string, TestAgent>();
    for (const name of names) {
      const secret = (await ok<{ token: string }>('POST', '/api/v1/enroll-tokens', {}, 201)).token;
      const agent = new TestAgent(t);
      const cluster = name.startsWith('db-') ? 'db' : name.startsWith('web-') ? 'web' : null;
      expect((await agent.enroll(secret, almaFacts(`m-${name}`, name), { environment, ...(cluster ? { cluster } : {}) })).statusCode).toBe(201);
      const inventory = { ...almaInventory([{ name: 'openssl', version: OLD }, { name: 'bash', version: '5.1.8-9.el9' }], `m-${name}`), host: { name, machineId: `m-${name}`, os: { id: 'almalinux', versionId: '9.4' } } };
      expect((await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory })).statusCode).toBe(200);
      agents.set(name, agent);
    }
    return agents;
  }

  async function patchSet(): Promise<number> {
    return (await ok<{ number: number }>('POST', '/api/v1/patch-sets', { name: 'openssl', targets: [{ ecosystem: 'AlmaLinux:9', package: 'openssl', version: NEW }] }, 201)).number;
  }

  const approvers = new WeakSet<TestApp>();
  /** A change approved by someone other than its requester. */
  async function approvedChange(number: number, environment = 'prod', kind: 'deployment' | 'promotion' = 'deployment'): Promise<string> {
    const first = !approvers.has(t);
    approvers.add(t);
    const alice = await personHeaders(t, 'alice', first ? [{ role: 'operator' }] : []);
    const bob = await personHeaders(t, 'bob', first ? [{ role: 'approver' }] : []);
    const c = await call('POST', '/api/v1/changes', alice, { kind, environment, patchSet: number, title: 'openssl', reason: 'CVE' });
    expect(c.statusCode, c.body).toBe(201);
    const id = c.json<{ id: string }>().id;
    expect((await call('POST', `/api/v1/changes/${id}/approve`, bob, {})).statusCode).toBe(200);
    return id;
  }

  async function fetchJobs(agent: TestAgent): Promise<JobManifest[]> {
    const res = await agent.send('POST', '/api/v1/agent/jobs', {});
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ jobs: SignedJobManifest[] }>().jobs.map((j) => JSON.parse(j.payload) as JobManifest);
  }

  function report(m: JobManifest, outcome: JobReport['outcome'], previous = OLD): JobReport {
    const at = new Date().toISOString();
    return {
      jobId: m.jobId,
      idempotencyKey: m.idempotencyKey,
      outcome,
      previous: m.targets.map((x) => ({ name: x.name, version: previous })),
      after: m.targets.map((x) => ({ name: x.name, version: outcome === 'succeeded' ? x.version : previous })),
      rebootRequired: false,
      rebooted: false,
      failure: outcome === 'succeeded' ? null : { step: 'post-check', message: 'service sshd is not active' },
      rollbackFailed: false,
      commands: [{ step: 'install', argv: ['dnf', 'install', '-y', `openssl-${m.targets[0]!.version}`], exitCode: 0, signal: null, stdout: 'Complete!', stderr: '', startedAt: at, durationMs: 1200 }],
      startedAt: at,
      finishedAt: at,
    };
  }

  async function send(agent: TestAgent, r: JobReport) {
    return agent.send('POST', '/api/v1/agent/jobs/report', { report: r });
  }

  /** Which agents hold a job now, by host name. */
  async function holders(agents: Map<string, TestAgent>): Promise<Map<string, JobManifest>> {
    const out = new Map<string, JobManifest>();
    for (const [name, agent] of agents) for (const m of await fetchJobs(agent)) out.set(name, m);
    return out;
  }

  const strategy = { canary: 1, waves: [2], concurrency: 2, clusterMaxUnavailable: 1, soakMinutes: 30, errorBudget: { perWave: 0, total: 0 } };

  it('starts only with an approved change, then runs the canary, soaks, and waves within concurrency and cluster limits to completion', async () => {
    const agents = await fleet(['db-1', 'db-2', 'web-1', 'web-2', 'web-3']);
    const number = await patchSet();
    const d = await ok<{ id: number; waveCount: number; state: string }>('POST', '/api/v1/deployments', { name: 'openssl prod', patchSet: number, environment: 'prod', strategy }, 201);
    expect(d).toMatchObject({ state: 'created', waveCount: 3 });

    const refused = await call('POST', `/api/v1/deployments/${d.id}/start`, admin(t), {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('PW_APPROVAL_REQUIRED');
    expect((await holders(agents)).size).toBe(0);

    const change = await approvedChange(number);
    expect(await ok('POST', `/api/v1/deployments/${d.id}/start`, { changeId: change })).toMatchObject({ state: 'running', currentWave: 1 });

    // Wave 1, the canary: one host, from the first cluster.
    const canary = await holders(agents);
    expect([...canary.keys()]).toEqual(['db-1']);
    const m = canary.get('db-1')!;
    expect(m).toMatchObject({ v: 1, action: 'install', manager: 'dnf', hostId: agents.get('db-1')!.hostId, targets: [{ name: 'openssl', version: NEW }], reboot: 'if-required' });
    expect((await send(agents.get('db-1')!, report(m, 'succeeded'))).json()).toEqual({ recorded: true });
    // Delivered again (a lost acknowledgement): acknowledged, nothing changes.
    expect((await send(agents.get('db-1')!, report(m, 'succeeded'))).json()).toEqual({ recorded: false });

    // The canary soaks: nobody gets a job for 30 minutes.
    let status = await ok<{ deployment: { soakUntil: string | null; currentWave: number } }>('GET', `/api/v1/deployments/${d.id}`);
    expect(status.deployment.soakUntil).toBe(new Date(t.clock.read().getTime() + 30 * 60_000).toISOString());
    expect((await holders(agents)).size).toBe(0);
    t.clock.advance(30 * 60_000);
    await t.rollout.engine.tick();

    // Wave 2 takes one host of each cluster.
    const wave2 = await holders(agents);
    expect([...wave2.keys()].sort()).toEqual(['db-2', 'web-1']);
    for (const [name, job] of wave2) await send(agents.get(name)!, report(job, 'succeeded'));
    t.clock.advance(30 * 60_000);
    await t.rollout.engine.tick();

    // Wave 3 is two web hosts, but only one of a cluster may be in flight at once.
    const first = await holders(agents);
    expect(first.size).toBe(1);
    status = await ok('GET', `/api/v1/deployments/${d.id}`);
    expect(status).toMatchObject({ deployment: { currentWave: 3 }, waiting: { 'cluster web at its limit of 1': 1 } });
    const [name1, job1] = [...first][0]!;
    await send(agents.get(name1)!, report(job1, 'succeeded'));
    const second = await holders(agents);
    expect([...second.keys()]).toHaveLength(1);
    expect(second.has(name1)).toBe(false);
    const [name2, job2] = [...second][0]!;
    await send(agents.get(name2)!, report(job2, 'succeeded'));

    const done = await ok<{ deployment: { state: string }; waves: { install: Record<string, number> }[] }>('GET', `/api/v1/deployments/${d.id}`);
    expect(done.deployment.state).toBe('completed');
    expect(done.waves.map((w) => w.install)).toEqual([{ succeeded: 1 }, { succeeded: 2 }, { succeeded: 2 }]);
    const audit = await ok<{ events: { action: string }[] }>('GET', '/api/v1/audit/events?limit=500');
    const actions = audit.events.map((e) => e.action);
    for (const a of ['deployment.create', 'deployment.start', 'deployment.dispatch', 'job.succeeded', 'deployment.wave-start', 'deployment.completed']) expect(actions).toContain(a);
  });

  it('halts when the canary fails beyond its budget: no other host gets a job, and the reason says why', async () => {
    const agents = await fleet(['db-1', 'db-2', 'web-1']);
    const number = await patchSet();
    const d = await ok<{ id: number }>('POST', '/api/v1/deployments', { name: 'x', patchSet: number, environment: 'prod', strategy: { ...strategy, soakMinutes: 0 }, changeId: await approvedChange(number) }, 201);
    await ok('POST', `/api/v1/deployments/${d.id}/start`, {});
    const [name, m] = [...(await holders(agents))][0]!;
    expect((await send(agents.get(name)!, report(m, 'rolled-back'))).statusCode).toBe(200);
    const status = await ok<{ deployment: { state: string; stateReason: string } }>('GET', `/api/v1/deployments/${d.id}`);
    expect(status.deployment).toMatchObject({ state: 'halted', stateReason: expect.stringMatching(/wave 1 \(canary\) exhausted: 1 of 1 hosts failed, the wave allows 0/) as unknown });
    t.clock.advance(3600_000);
    await t.rollout.engine.tick();
    expect((await holders(agents)).size).toBe(0);
    const jobs = await ok<{ jobs: { hostName: string; state: string; previous: unknown }[] }>('GET', `/api/v1/deployments/${d.id}/jobs`);
    expect(jobs.jobs.map((j) => j.state).sort()).toEqual(['pending', 'pending', 'rolled-back']);
    const rep = await ok<{ report: JobReport }>('GET', `/api/v1/deployments/${d.id}/jobs/${m.jobId}/report`);
    expect(rep.report.commands[0]).toMatchObject({ argv: ['dnf', 'install', '-y', `openssl-${NEW}`], exitCode: 0 });
  });

  it('rolls a completed deployment back to the exact recorded versions, without waiting for a window', async () => {
    const agents = await fleet(['db-1', 'web-1']);
    const number = await patchSet();
    const d = await ok<{ id: number }>('POST', '/api/v1/deployments', { name: 'x', patchSet: number, environment: 'prod', strategy: { canary: 0, waves: ['100%'], concurrency: '100%', clusterMaxUnavailable: 1, soakMinutes: 0 }, changeId: await approvedChange(number) }, 201);
    await ok('POST', `/api/v1/deployments/${d.id}/start`, {});
    for (const [name, m] of await holders(agents)) await send(agents.get(name)!, report(m, 'succeeded', '1:3.0.7-16.el9_2'));
    expect(await ok('GET', `/api/v1/deployments/${d.id}`)).toMatchObject({ deployment: { state: 'completed' } });

    expect(await ok('POST', `/api/v1/deployments/${d.id}/rollback`, { reason: 'regression in TLS' })).toMatchObject({ state: 'rolling-back' });
    const back = await holders(agents);
    expect(back.size).toBe(2);
    for (const m of back.values()) expect(m).toMatchObject({ action: 'rollback', targets: [{ name: 'openssl', version: '1:3.0.7-16.el9_2' }], preSteps: [], postChecks: [] });
    for (const [name, m] of back) await send(agents.get(name)!, report(m, 'succeeded', NEW));
    expect(await ok('GET', `/api/v1/deployments/${d.id}`)).toMatchObject({ deployment: { state: 'rolled-back' }, waves: [{ install: { succeeded: 2 }, rollback: { succeeded: 2 } }] });
    expect((await call('POST', `/api/v1/deployments/${d.id}/resume`, admin(t), {})).statusCode).toBe(409);
  });

  it('fails a job whose host came back from its reboot failing its post-checks, and rolls that host back with the deployment', async () => {
    const agents = await fleet(['db-1', 'web-1']);
    const number = await patchSet();
    const d = await ok<{ id: number }>('POST', '/api/v1/deployments', { name: 'x', patchSet: number, environment: 'prod', strategy: { canary: 0, waves: ['100%'], concurrency: '100%', clusterMaxUnavailable: 1, soakMinutes: 0, errorBudget: { perWave: 0, total: 0 } }, changeId: await approvedChange(number) }, 201);
    await ok('POST', `/api/v1/deployments/${d.id}/start`, {});
    const jobs = await holders(agents);
    expect(jobs.size).toBe(2);
    const rebooted = (m: JobManifest): JobReport => ({ ...report(m, 'succeeded'), rebootRequired: true, rebooted: true, bootId: 'boot-a' });
    for (const [name, m] of jobs) await send(agents.get(name)!, rebooted(m));
    const state = async () => (await ok<{ jobs: { hostName: string; state: string; stateReason: string | null }[] }>('GET', `/api/v1/deployments/${d.id}/jobs`)).jobs.sort((a, b) => a.hostName.localeCompare(b.hostName));
    expect((await state()).map((j) => j.state)).toEqual(['rebooting', 'rebooting']);

    const at = new Date().toISOString();
    await send(agents.get('db-1')!, { ...rebooted(jobs.get('db-1')!), back: { bootId: 'boot-b', at } });
    const failure = { step: 'post-reboot-check', message: 'service postgresql.service is not active (exit 3); the new versions stay installed: roll the deployment back to restore the previous ones' };
    expect((await send(agents.get('web-1')!, { ...rebooted(jobs.get('web-1')!), outcome: 'failed', failure, back: { bootId: 'boot-b', at } })).json()).toEqual({ recorded: true });
    // `back` with any other failure is not a report an executor makes.
    const odd = await send(agents.get('web-1')!, { ...rebooted(jobs.get('web-1')!), outcome: 'failed', failure: { step: 'install', message: 'x' }, back: { bootId: 'boot-b', at } });
    expect(odd.statusCode).toBe(400);
    expect(odd.json().error.message).toMatch(/back is only for a job that rebooted its host and then succeeded, or failed at post-reboot-check/);
    expect(await state()).toMatchObject([
      { hostName: 'db-1', state: 'succeeded' },
      { hostName: 'web-1', state: 'failed', stateReason: `post-reboot-check: ${failure.message}` },
    ]);
    expect(await ok('GET', `/api/v1/deployments/${d.id}`)).toMatchObject({ deployment: { state: 'halted' } });

    // Both hosts are at the new versions, so both get a rollback job.
    expect(await ok('POST', `/api/v1/deployments/${d.id}/rollback`, { reason: 'postgresql does not start' })).toMatchObject({ state: 'rolling-back' });
    const back = await holders(agents);
    expect([...back.keys()].sort()).toEqual(['db-1', 'web-1']);
    for (const m of back.values()) expect(m).toMatchObject({ action: 'rollback', targets: [{ name: 'openssl', version: OLD }] });
  });

  it('refuses reports for another host or with the wrong key, requeues unfetched manifests that expired, and fails jobs that never report', async () => {
    const agents = await fleet(['a-1', 'a-2']);
    const number = await patchSet();
    const d = await ok<{ id: number }>('POST', '/api/v1/deployments', { name: 'x', patchSet: number, environment: 'prod', strategy: { canary: 0, waves: ['100%'], concurrency: '100%', soakMinutes: 0, jobTimeoutMinutes: 60, errorBudget: { perWave: 1, total: 1 } }, changeId: await approvedChange(number) }, 201);
    await ok('POST', `/api/v1/deployments/${d.id}/start`, {});
    const a1 = agents.get('a-1')!;
    const a2 = agents.get('a-2')!;
    const [m1] = await fetchJobs(a1);
    expect((await send(a2, report(m1!, 'succeeded'))).statusCode).toBe(404);
    expect((await send(a1, { ...report(m1!, 'succeeded'), idempotencyKey: 'other' })).statusCode).toBe(400);

    // a-2 never fetches: after the manifest's 15 minutes it goes back to pending and is dispatched anew.
    t.clock.advance(16 * 60_000);
    await t.rollout.engine.tick();
    const jobs = await ok<{ jobs: { hostName: string; state: string; stateReason: string | null }[] }>('GET', `/api/v1/deployments/${d.id}/jobs`);
    expect(jobs.jobs.find((j) => j.hostName === 'a-2')).toMatchObject({ state: 'dispatched' });
    const [m2] = await fetchJobs(a2);
    expect(m2!.idempotencyKey).toBe(`deployment-${d.id}-install-${a2.hostId}`);

    // a-1 fetched but never reported: failed after the job timeout, within the budget of 1.
    t.clock.advance(45 * 60_000);
    await t.rollout.engine.tick();
    const after = await ok<{ jobs: { hostName: string; state: string; stateReason: string | null }[] }>('GET', `/api/v1/deployments/${d.id}/jobs`);
    expect(after.jobs.find((j) => j.hostName === 'a-1')).toMatchObject({ state: 'failed', stateReason: expect.stringMatching(/no report within 60 minutes/) as unknown });
    await send(a2, report(m2!, 'succeeded'));
    expect(await ok('GET', `/api/v1/deployments/${d.id}`)).toMatchObject({ deployment: { state: 'completed' } });
  });

  it('promotes through rings only after success and soak in the previous ring, with a promotion change', async () => {
    await ok('PUT', '/api/v1/rings', { rings: [{ environment: 'test', soakMinutes: 120 }, { environment: 'prod', soakMinutes: 0 }] });
    const testAgents = await fleet(['t-1'], 'test');
    await fleet(['p-1'], 'prod');
    const number = await patchSet();
    const prod = await ok<{ id: number }>('POST', '/api/v1/deployments', { name: 'prod', patchSet: number, environment: 'prod', changeId: await approvedChange(number, 'prod', 'promotion') }, 201);
    const early = await call('POST', `/api/v1/deployments/${prod.id}/start`, admin(t), {});
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toMatch(/has not completed a deployment in test, the ring before prod/);

    const test = await ok<{ id: number }>('POST', '/api/v1/deployments', { name: 'test', patchSet: number, environment: 'test', strategy: { canary: 0, waves: ['100%'] }, changeId: await approvedChange(number, 'test') }, 201);
    await ok('POST', `/api/v1/deployments/${test.id}/start`, {});
    const [m] = await fetchJobs(testAgents.get('t-1')!);
    await send(testAgents.get('t-1')!, report(m!, 'succeeded'));
    const soaking = await call('POST', `/api/v1/deployments/${prod.id}/start`, admin(t), {});
    expect(soaking.json().error.message).toMatch(/soaking in test until/);
    t.clock.advance(120 * 60_000);
    expect(await ok('POST', `/api/v1/deployments/${prod.id}/start`, {})).toMatchObject({ state: 'running' });
  });

  it('plans without storing: waves, expected times, the SLA effect; and checks roles', async () => {
    await fleet(['db-1', 'web-1', 'web-2']);
    const number = await patchSet();
    const plan = await ok<{ waves: { wave: number; hosts: number; start: string; finish: string }[]; hosts: { hostName: string; wave: number }[]; finish: string }>('POST', '/api/v1/deployments/plan', { patchSet: number, environment: 'prod', strategy: { canary: 1, waves: ['100%'], soakMinutes: 60, concurrency: 1 }, jobMinutes: 10 });
    const now = t.clock.read().getTime();
    expect(plan.waves).toEqual([
      { wave: 1, hosts: 1, start: new Date(now).toISOString(), finish: new Date(now + 10 * 60_000).toISOString(), unschedulable: 0 },
      { wave: 2, hosts: 2, start: new Date(now + 70 * 60_000).toISOString(), finish: new Date(now + 90 * 60_000).toISOString(), unschedulable: 0 },
    ]);
    expect(plan.finish).toBe(new Date(now + 90 * 60_000).toISOString());
    expect((await ok<{ deployments: unknown[] }>('GET', '/api/v1/deployments')).deployments).toEqual([]);

    expect(plan).toMatchObject({ sla: { findings: 0 } }); // no advisory names openssl yet

    // With an advisory the patch set fixes, and two days to fix anything: one host in time, two late.
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=alma.json', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify([almaAdvisory('ALSA-2026:0101', 'openssl', NEW)])) });
    expect(imported.statusCode, imported.body).toBe(200);
    const sla = (await ok<{ sla: { days: Record<string, unknown> } }>('GET', '/api/v1/policy')).sla;
    await ok('POST', '/api/v1/policy/apply', { document: { version: 1, sla: { ...sla, days: { P1: { default: 2 }, P2: { default: 2 }, P3: { default: 2 }, P4: { default: 2 } } } } });
    const slow = await ok<{ sla: Record<string, number> }>('POST', '/api/v1/deployments/plan', { patchSet: number, environment: 'prod', strategy: { canary: 1, waves: ['100%'], soakMinutes: 60, concurrency: 1 }, jobMinutes: 24 * 60 });
    expect(slow.sla).toEqual({ findings: 3, onTime: 1, late: 2, alreadyOverdue: 0, unscheduled: 0 });

    const viewer = await personHeaders(t, 'vic', [{ role: 'viewer' }]);
    expect((await call('POST', '/api/v1/deployments/plan', viewer, { patchSet: number, environment: 'prod' })).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/deployments', viewer, { name: 'x', patchSet: number, environment: 'prod' })).statusCode).toBe(403);
    const bad = await call('POST', '/api/v1/deployments/plan', admin(t), { patchSet: number, environment: 'prod', strategy: { canary: 'lots' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/strategy.canary/);
    const none = await call('POST', '/api/v1/deployments/plan', admin(t), { patchSet: number, environment: 'staging' });
    expect(none.json().error.message).toMatch(/no active, inventoried host in environment staging/);
  });

  it('runs only approved library scripts, approved by someone other than their author', async () => {
    await fleet(['db-1']);
    const number = await patchSet();
    const olga = await personHeaders(t, 'olga', [{ role: 'operator' }]);
    const put = await call('PUT', '/api/v1/scripts/drain', olga, { body: 'systemctl stop haproxy\n' });
    expect(put.statusCode, put.body).toBe(200);
    const sha256 = put.json<{ sha256: string }>().sha256;
    const unapproved = await call('POST', '/api/v1/deployments', admin(t), { name: 'x', patchSet: number, environment: 'prod', hooks: { preSteps: ['drain'] } });
    expect(unapproved.json().error.message).toMatch(/script drain is not approved yet/);
    const bob = await personHeaders(t, 'bob', [{ role: 'approver' }]);
    expect((await call('POST', '/api/v1/scripts/drain/approve', olga, { sha256 })).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/scripts/drain/approve', bob, { sha256: '0'.repeat(64) })).statusCode).toBe(409);
    expect((await call('POST', '/api/v1/scripts/drain/approve', bob, { sha256 })).json()).toMatchObject({ approvedBy: expect.any(String) as unknown });
    const d = await ok<{ hooks: { preSteps: string[] } }>('POST', '/api/v1/deployments', { name: 'x', patchSet: number, environment: 'prod', hooks: { preSteps: ['drain'], postChecks: [{ kind: 'service', unit: 'haproxy.service' }] } }, 201);
    expect(d.hooks.preSteps).toEqual(['drain']);
    const shell = await call('POST', '/api/v1/deployments', admin(t), { name: 'x', patchSet: number, environment: 'prod', hooks: { postChecks: [{ kind: 'service', unit: 'x; rm -rf /' }] } });
    expect(shell.statusCode).toBe(400);
  });
});
