/**
 * The server killed with SIGKILL at chosen moments of a deployment, then started again, on
 * PostgreSQL and on the embedded PGlite: every host's job still ends in exactly one terminal
 * state, nothing is installed twice, and the audit chain verifies. Everything is real and
 * separate: `patchwise server` as its own process; each host an overlay clone of a Debian tree
 * with a local apt repository, and its own network namespace in which its
 * `patchwise agent run --root CLONE` process runs, reaching the server over a veth link only.
 *
 * The moments: (a) started, nothing dispatched; (b) dispatched, not fetched; (c) fetched and
 * running, its report made while the server is down; (d) a report accepted, the engine not yet
 * past it; (e) three kills at seeded random points of one deployment (PW_CRASH_SEED replays one).
 *
 * Needs root, debootstrap, overlayfs, dpkg-dev and iproute2, and PostgreSQL for its half (CI fails without them).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, postgresAvailable } from '../../packages/server/test/support/test-database.js';
import { startAgentHost, type AgentHost } from './support/agent-process.js';
import { dpkgState, installsLogged } from './support/apt-job-fixtures.js';
import type { DatabaseKind } from './support/e2e-server.js';
import { which } from './support/exec-file.js';
import { localAptRepository, type LocalAptRepository } from './support/local-apt-repository.js';
import { missingAptHostPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';
import { debianPatchSet, deploymentJobs, deploymentStatus, startDeployment, waitFor, type JobRow } from './support/rollout-fixtures.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

const hostsMissing = (await missingAptHostPrerequisites()) ?? ((await which('ip')) ? undefined : 'ip (Debian: apt-get install -y iproute2)');
const databases: [DatabaseKind, string | undefined][] = [
  ['postgres', hostsMissing ?? ((await postgresAvailable()) ? undefined : 'PostgreSQL')],
  ['pglite', hostsMissing],
];
/** One job at a time, so each moment is one host's. */
const STRATEGY = { canary: 1, waves: [1], concurrency: 1, soakMinutes: 0 };
const SEED = Number(process.env.PW_CRASH_SEED ?? 20260523);

let repo: LocalAptRepository | undefined;
afterAll(async () => repo?.dispose());

describe.each(databases)('a deployment survives kill -9 of the server on %s', (kind, missing) => {
  const skip = skipUnlessAvailable(`the server crash end-to-end test on ${kind}`, missing);

  describe.skipIf(skip)('at each moment', () => {
    let layer: string;
    let server: ServerProcess;
    let patchSet: number;
    const fleet: AgentHost[] = [];

    beforeAll(async () => {
      repo = await localAptRepository();
      layer = await repo.layer();
      server = await startServerProcess(['--checkin-interval', '5s'], { database: kind });
      patchSet = await debianPatchSet(server, { 'pw-hello': '1.1' });
    }, 20 * 60_000);

    afterEach(async () => {
      for (const h of fleet.splice(0)) await h.dispose();
    });

    afterAll(async () => server?.close());

    /** `n` hosts in environment crash-TAG, enrolled and inventoried. */
    async function fleetOf(tag: string, n: number): Promise<AgentHost[]> {
      const env = `crash-${tag}`;
      const made = await Promise.all(Array.from({ length: n }, (_, i) => startAgentHost(server, layer, `${kind}-${tag}-${i + 1}`, { environment: env })));
      fleet.push(...made);
      await waitFor(`${n} inventoried hosts in ${env}`, () => server.api<{ hosts: { inventoryAt: string | null }[] }>('GET', `/api/v1/hosts?environment=${env}`), (r) => r.body.hosts.filter((x) => x.inventoryAt !== null).length === n, 90_000);
      return made;
    }

    const deploy = (tag: string) => startDeployment(server, { patchSet, environment: `crash-${tag}`, strategy: STRATEGY });
    const jobs = (id: number) => deploymentJobs(server, id);
    const byName = (hosts: readonly AgentHost[], name: string) => hosts.find((h) => h.name === name)!;
    const diagnostics = (hosts: readonly AgentHost[]) => [...hosts.map((h) => `--- ${h.name}\n${h.log.join('')}`), `--- server\n${server.output.join('').slice(-4000)}`].join('\n');

    /** What every case must end in: completed, one succeeded install per host, 1.1 installed once each, one audit event per job, the chain intact. */
    async function expectEachHostPatchedOnce(id: number, hosts: readonly AgentHost[]): Promise<void> {
      const done = await waitFor('the deployment to end after the restart', () => deploymentStatus(server, id), (s) => ['completed', 'halted', 'rolled-back', 'cancelled'].includes(s.deployment.state), 180_000);
      expect(done.deployment.state, diagnostics(hosts)).toBe('completed');
      const rows = await jobs(id);
      expect(rows.map((j) => `${j.hostName} ${j.action} ${j.state}`).sort()).toEqual(hosts.map((h) => `${h.name} install succeeded`).sort());
      for (const h of hosts) {
        expect(await dpkgState(h.clone, 'pw-hello'), h.name).toEqual({ abbrev: 'ii', version: '1.1' });
        expect(installsLogged(h.clone, 'pw-hello', '1.1'), `${h.name}: installs of 1.1 in dpkg.log`).toBe(1);
      }
      const events = await auditEvents();
      for (const j of rows) expect(events.filter((e) => e.target.id === j.id).map((e) => e.action), `audit events of ${j.hostName}'s job`).toEqual(['job.succeeded']);
      expect(events.filter((e) => e.target.kind === 'deployment' && e.target.id === String(id) && e.action === 'deployment.completed')).toHaveLength(1);
      expect((await server.api<{ ok: boolean }>('GET', '/api/v1/audit/verify')).body).toMatchObject({ ok: true });
    }

    async function auditEvents(): Promise<{ seq: number; at: string; action: string; target: { kind: string; id: string } }[]> {
      const all: { seq: number; at: string; action: string; target: { kind: string; id: string } }[] = [];
      for (;;) {
        const page = (await server.api<{ events: typeof all }>('GET', `/api/v1/audit/events?afterSeq=${all.at(-1)?.seq ?? 0}&limit=5000`)).body.events;
        if (page.length === 0) return all;
        all.push(...page);
      }
    }

    it('(a) started, before any job is dispatched', async () => {
      const hosts = await fleetOf('a', 3);
      // A freeze holds the engine exactly where a start leaves it (running, first wave, every
      // job pending, nothing signed); lifting it after the restart lets the engine go on.
      const now = Date.now();
      const freeze = { start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 3_600_000).toISOString(), reason: 'hold the engine before its first dispatch' };
      expect((await server.api('PUT', '/api/v1/freezes/crash-a', freeze)).status).toBe(200);
      const id = await deploy('a');
      expect((await deploymentStatus(server, id)).deployment.state).toBe('running');
      expect((await jobs(id)).map((j) => j.state)).toEqual(['pending', 'pending', 'pending']);
      await server.kill9();
      await server.restart();
      expect((await jobs(id)).map((j) => j.state)).toEqual(['pending', 'pending', 'pending']);
      expect((await server.api('DELETE', '/api/v1/freezes/crash-a')).status).toBe(204);
      await expectEachHostPatchedOnce(id, hosts);
    });

    it('(b) a job dispatched, not yet fetched by its agent', async () => {
      const hosts = await fleetOf('b', 3);
      for (const h of hosts) h.pause();
      // A restart now leaves no long-poll of these agents open in the server: nothing can fetch
      // the job the start dispatches until they are thawed.
      await server.kill9();
      await server.restart();
      const id = await deploy('b');
      expect((await jobs(id)).map((j) => j.state).sort()).toEqual(['dispatched', 'pending', 'pending']);
      await server.kill9();
      for (const h of hosts) h.resume();
      await server.restart();
      await expectEachHostPatchedOnce(id, hosts);
    });

    it('(c) a job fetched and running; its report made while the server is down', async () => {
      const hosts = await fleetOf('c', 3);
      const id = await deploy('c');
      // Freeze the agent of a running job before it reports (if its report won the race, the next job).
      const held = await holdRunningJob(id, hosts);
      await server.kill9();
      held.host.resume();
      await waitFor('the report kept in the outbox', () => Promise.resolve(held.host.log.join('')), (log) => log.includes(`report of job ${held.job.id} kept for later`), 120_000);
      await server.restart();
      await expectEachHostPatchedOnce(id, hosts);
    });

    it('(d) a report accepted, before the engine steps past it', async () => {
      const hosts = await fleetOf('d', 3);
      const id = await deploy('d');
      if (kind === 'postgres') {
        // The engine's per-deployment lock, held here as another server process would hold it:
        // the report is recorded and acknowledged, the engine cannot step.
        const held = await holdRunningJob(id, hosts);
        const engine = await holdEngineLock(server, id);
        try {
          held.host.resume();
          const seen = await waitFor('the report recorded', () => jobs(id), (rows) => rows.some((j) => j.id === held.job.id && j.state === 'succeeded'), 120_000);
          expect(seen.filter((j) => j.id !== held.job.id).map((j) => j.state), 'the engine stepped past the report').not.toContain('dispatched');
          await server.kill9();
        } finally {
          await engine.release();
        }
        await server.restart();
      } else {
        // One process: nothing outside can stop its engine between a report's transaction and the
        // advance after it. The kills aim at each report in flight instead: 0, 10 and 20 ms after
        // the agent put it in its outbox (it is sent next). Where each landed is read back from
        // the audit trail: before the report, between it and the engine's next step, or after both.
        const held = new Set<string>();
        const kills: { job: JobRow; at: Date }[] = [];
        for (const delayMs of [0, 10, 20]) {
          const { host, job } = await holdRunningJob(id, hosts, held);
          held.add(job.id);
          host.resume();
          await waitFor('the report in the outbox', () => Promise.resolve(outboxOf(host).length), (n) => n > 0, 120_000, 1);
          await new Promise((r) => setTimeout(r, delayMs));
          kills.push({ job, at: new Date() });
          await server.kill9();
          await server.restart();
        }
        await waitFor('the deployment to end', () => deploymentStatus(server, id), (s) => s.deployment.state !== 'running', 180_000);
        const events = await auditEvents();
        const landed = kills.map(({ job, at }) => {
          const report = events.find((e) => e.target.id === job.id && e.action === 'job.succeeded');
          if (!report || new Date(report.at) >= at) return 'before the report was recorded';
          const step = events.find((e) => e.seq > report.seq && e.target.kind === 'deployment' && e.target.id === String(id));
          return !step || new Date(step.at) >= at ? 'after the report, before the engine stepped' : 'after the report and the step';
        });
        console.log(`[crash d/pglite] kills landed: ${landed.join(' | ')}`);
      }
      await expectEachHostPatchedOnce(id, hosts);
    });

    it('(e) three kills at seeded random points of one deployment', async () => {
      const hosts = await fleetOf('e', 5);
      const random = mulberry32(SEED + (kind === 'pglite' ? 1 : 0));
      // Points in the deployment's progress (2 per succeeded job, 1 more while the next is out),
      // three distinct ones of 1..7, so the last leaves a job to do; each kill then waits up to
      // 150 ms more, so it lands anywhere around that point.
      const points = [1, 2, 3, 4, 5, 6, 7].map((p) => ({ p, r: random() })).sort((x, y) => x.r - y.r).slice(0, 3).map((x) => x.p).sort((x, y) => x - y);
      const id = await deploy('e');
      const seen: string[] = [];
      for (const point of points) {
        await waitFor(`progress ${point}`, () => jobs(id), (rows) => progress(rows) >= point, 120_000, 20);
        await new Promise((r) => setTimeout(r, Math.floor(random() * 150)));
        const status = await deploymentStatus(server, id);
        seen.push(`${status.deployment.state}: ${summary(await jobs(id))}`);
        await server.kill9();
        await server.restart();
      }
      console.log(`[crash e/${kind}] seed ${SEED}, points ${points.join(',')}: kills at ${seen.join(' | ')}`);
      expect(seen.every((s) => s.startsWith('running')), `every kill lands inside the deployment (seed ${SEED}): ${seen.join(' | ')}`).toBe(true);
      await expectEachHostPatchedOnce(id, hosts);
    });

    /** Waits for a job to be fetched, freezes its agent, and keeps it if no report got in first. */
    async function holdRunningJob(id: number, hosts: readonly AgentHost[], skip: ReadonlySet<string> = new Set()): Promise<{ host: AgentHost; job: JobRow }> {
      const tried = new Set<string>(skip);
      while (tried.size < hosts.length) {
        const rows = await waitFor('a job fetched', () => jobs(id), (r) => r.some((j) => j.state === 'running' && !tried.has(j.id)), 120_000, 20);
        const job = rows.find((j) => j.state === 'running' && !tried.has(j.id))!;
        tried.add(job.id);
        const host = byName(hosts, job.hostName);
        host.pause();
        if ((await jobs(id)).find((j) => j.id === job.id)?.state === 'running') return { host, job };
        host.resume();
      }
      throw new Error(`every job reported before its agent could be frozen:\n${diagnostics(hosts)}`);
    }
  });
});

/** The rollout engine's transaction lock on one deployment, taken as a session lock until released. */
async function holdEngineLock(server: ServerProcess, id: number): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`select pg_advisory_lock(hashtextextended($1 || '/rollout-deployment/' || $2, 0))`, [server.schema, String(id)]);
  return { release: () => client.end() };
}

/** Reports the agent has not had acknowledged. */
function outboxOf(host: AgentHost): string[] {
  const dir = join(host.stateDir, 'outbox');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
}

/** How far a deployment of one job at a time got: 2 per succeeded job, 1 more while another is out. */
function progress(rows: readonly JobRow[]): number {
  const succeeded = rows.filter((j) => j.state === 'succeeded').length;
  return 2 * succeeded + (rows.some((j) => j.state === 'dispatched' || j.state === 'running') ? 1 : 0);
}

function summary(rows: readonly JobRow[]): string {
  return rows.map((j) => `${j.hostName.replace(/^.*-(\w+-\d+)$/, '$1')}=${j.state}`).join(' ');
}

/** A small seeded generator (mulberry32), so a run's kill points can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
