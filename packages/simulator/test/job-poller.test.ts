import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig, startServer, type RunningServer } from '@patchwise/server';
import { Simulation, SyntheticFleet, upgradeTargets, type JobPoller } from '@patchwise/simulator';

// One real server (PGlite, listening on loopback) for the file; each test enrolls its own agents.
let server: RunningServer;
let dataDir: string;
let fleet: SyntheticFleet;
let admin: Record<string, string>;
const people: Record<'alice' | 'bob', Record<string, string>> = { alice: {}, bob: {} };

async function api<T>(method: string, path: string, body?: unknown, headers = admin): Promise<T> {
  const res = await fetch(new URL(path, server.url), { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
  if (!template) throw new Error('the PGlite template is missing: vitest globalSetup did not run');
  dataDir = mkdtempSync(join(tmpdir(), 'patchwise-jobs-'));
  cpSync(template, join(dataDir, 'pglite'), { recursive: true });
  server = await startServer(parseServerConfig({ data: dataDir, listen: '127.0.0.1:0', checkinInterval: '5s', env: {} }));
  admin = { authorization: `Bearer ${readFileSync(server.adminTokenPath, 'utf8').trim()}` };
  fleet = await SyntheticFleet.fromFeeds({ packagesPerHost: 60, seed: 5, images: 3 });
  // A change needs a requester and a different approver, each with an API token of their own.
  for (const [name, role] of [['alice', 'operator'], ['bob', 'approver']] as const) {
    await api('POST', '/api/v1/users', { name, roles: [{ role }] });
    people[name] = { authorization: `Bearer ${(await api<{ token: string }>('POST', '/api/v1/tokens', { name: `${name} token`, user: name })).token}` };
  }
});

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Agents in environment `prod`, enrolled, their inventories sent; one per image and then some. */
async function prodFleet(agents: number, runId: string): Promise<Simulation> {
  const { token } = await api<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: agents, attributes: { environment: 'prod' } });
  const sim = await Simulation.create({ serverUrl: server.url, enrollToken: token, agents, intervalMs: 60_000, durationMs: 0, changedFraction: 0, packagesPerHost: 60, seed: 5, agentVersion: 'test', fleet, runId });
  expect((await sim.enroll()).errors).toEqual({});
  expect((await sim.firstInventories()).errors).toEqual({});
  return sim;
}

/** A deployment of a patch set every host needs, to the given hosts at once, with an approved change. */
async function deployment(sim: Simulation): Promise<{ id: number; changeId: string }> {
  const patchSet = await api<{ number: number }>('POST', '/api/v1/patch-sets', { name: 'upgrade', targets: upgradeTargets(fleet) });
  const hosts = sim.enrolled.map((a) => a.hostId);
  const d = await api<{ id: number }>('POST', '/api/v1/deployments', { name: 'all at once', patchSet: patchSet.number, environment: 'prod', hosts, strategy: { canary: 0, waves: ['100%'], concurrency: '100%', soakMinutes: 0 } });
  const change = await api<{ id: string }>('POST', '/api/v1/changes', { kind: 'deployment', environment: 'prod', patchSet: patchSet.number, title: 'upgrade', reason: 'test' }, people.alice);
  await api('POST', `/api/v1/changes/${change.id}/approve`, {}, people.bob);
  return { id: d.id, changeId: change.id };
}

type Jobs = { jobs: { hostId: string; state: string; targets: { name: string; version: string }[]; previous: { name: string; version: string | null }[] | null }[] };

describe('JobPoller against a real server', () => {
  it('long-polls until the deployment starts, records each manifest once, reports success, and the deployment completes', async () => {
    const sim = await prodFleet(5, 'jobs01');
    const poller: JobPoller = sim.jobPoller({ waitSeconds: 20 });
    await poller.start();
    const d = await deployment(sim);
    // While the deployment was made, every agent waited in its long-poll: one answered poll each
    // (the first, which does not wait), and no refusals (30 requests a minute would be hit at once).
    expect(poller.stats.summary('jobs', 1).count).toBe(5);
    const started = performance.now();
    await api('POST', `/api/v1/deployments/${d.id}/start`, { changeId: d.changeId });
    await poller.reported(5);
    expect(poller.arrivals.map((a) => a.hostId).sort()).toEqual(sim.enrolled.map((a) => a.hostId).sort());
    for (const a of poller.arrivals) {
      expect(a.at).toBeGreaterThan(started);
      expect(a.manifest).toMatchObject({ deploymentId: d.id, hostId: a.hostId, action: 'install', manager: 'dnf' });
    }
    expect(new Set(poller.arrivals.map((a) => a.manifest.jobId)).size).toBe(5);
    expect(poller.stats.errorCodes).toEqual(new Map());

    const status = await api<{ deployment: { state: string }; waves: { install: Record<string, number> }[] }>('GET', `/api/v1/deployments/${d.id}`);
    expect(status.deployment.state).toBe('completed');
    expect(status.waves[0]?.install).toEqual({ succeeded: 5 });
    // Each report's previous versions are what the agent's own inventory has of the targets.
    const { jobs } = await api<Jobs>('GET', `/api/v1/deployments/${d.id}/jobs`);
    for (const job of jobs) {
      const agent = sim.enrolled.find((a) => a.hostId === job.hostId)!;
      expect(job.previous).toEqual(agent.installedVersions(job.targets.map((t) => t.name)));
      expect(job.previous?.every((p) => p.version !== null)).toBe(true);
    }
    await poller.stop();
    sim.close();
  });

  it('without reports, each agent holds its first job and stops polling', async () => {
    const sim = await prodFleet(3, 'jobs02');
    const poller = sim.jobPoller({ waitSeconds: 20, report: false });
    await poller.start();
    const d = await deployment(sim);
    await api('POST', `/api/v1/deployments/${d.id}/start`, { changeId: d.changeId });
    await poller.arrived(3);
    await poller.stop();
    expect(poller.reportedAt).toEqual([]);
    const { jobs } = await api<Jobs>('GET', `/api/v1/deployments/${d.id}/jobs`);
    expect(jobs.map((j) => j.state)).toEqual(['running', 'running', 'running']);
    sim.close();
  });
});
