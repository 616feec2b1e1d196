/**
 * Benchmark: the time from a wave's start to its jobs reaching N simulated agents (default
 * 10,000). Starts a real `patchwise server` in its own process (PGlite, or a fresh database on the
 * PostgreSQL at 127.0.0.1:5432), enrolls N simulated agents in environment `prod` with 1,000-package
 * inventories from the synthetic fleet (@patchwise/simulator: real HTTP, real Ed25519
 * signatures), makes a patch set that every host needs (`upgradeTargets`), and a change requested
 * by one user and approved by another, all through the API. Then, per round:
 *
 *   1. a deployment of every prod host: canary 0, waves ['100%'], concurrency '100%', soak 0;
 *   2. every agent long-polls `POST /api/v1/agent/jobs` (`JobPoller`, waitSeconds 30), and the
 *      server's CPU is measured while they only wait (`--idle` seconds; above `--wait`, the
 *      window includes every agent's re-poll, below it possibly none);
 *   3. the deployment is started, and measured from the start call: the start call's reply,
 *      the engine's dispatch of all N jobs (the `deployment.dispatch` audit events' times), the
 *      first manifest at an agent, p50/p99 of arrivals, the last of the N; with reports (the
 *      default), the last report acknowledged and the deployment completed.
 *
 *   flock /tmp/patchwise-bench.lock node --import tsx bench/rollout-dispatch.ts --db pglite|postgres
 *     [--agents 10000] [--packages 1000] [--rounds 2] [--wait 30] [--report yes|no] [--idle 10] [--timeout 600]
 *
 * Prints one line per figure and a table per round, and writes bench/out/rollout-dispatch-<db>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OperationStats, Simulation, SyntheticFleet, upgradeTargets, type JobPoller, type PhaseReport } from '@patchwise/simulator';
import { BenchServer } from './support/bench-server.js';
import { PostgresCpu, cpuOf, rssOf, selfCpu } from './support/process-usage.js';

const OUT = join(resolve(import.meta.dirname, '..'), 'bench/out');
const { values: v } = parseArgs({
  options: Object.fromEntries(['db', 'agents', 'packages', 'rounds', 'wait', 'report', 'timeout', 'idle', 'setup-concurrency', 'port'].map((k) => [k, { type: 'string' as const }])),
});
const db = v.db === 'postgres' ? 'postgres' : 'pglite';
const num = (k: string, d: number) => (v[k] === undefined ? d : Number(v[k]));
const agents = num('agents', 10_000);
const packages = num('packages', 1000);
const rounds = num('rounds', 2);
const waitSeconds = num('wait', 30);
const report = v.report !== 'no';
const timeoutMs = num('timeout', 600) * 1000;
const idleSeconds = num('idle', 10);
const setupConcurrency = num('setup-concurrency', 8);
const port = num('port', 18_800 + Math.floor(Math.random() * 500));

const line = (label: string, value: string) => console.log(`${label.padEnd(52)} ${value}`);
const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with `what` settling, or with 'timeout' after `ms` (a stuck run still reports what it has). */
async function within(what: Promise<void>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  const result = await Promise.race([what.then(() => 'done' as const), timeout]);
  clearTimeout(timer);
  return result;
}

type AuditEvent = { seq: number; at: string; action: string; target: { kind: string; id: string }; details: Record<string, unknown> };

/** The audit events since `since` (paged), for when the server dispatched and completed. */
async function auditSince(server: BenchServer, since: Date): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for (let afterSeq = 0; ; ) {
    const { events } = await server.api<{ events: AuditEvent[] }>('GET', `/api/v1/audit/events?since=${since.toISOString()}&afterSeq=${afterSeq}&limit=5000`);
    out.push(...events);
    if (events.length < 5000) return out;
    afterSeq = events[events.length - 1]!.seq;
  }
}

interface RoundFigures {
  round: number;
  jobs: number;
  startReplyMs: number;
  dispatchedMs: number | null;
  dispatchEvents: number;
  arrived: number;
  firstMs: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  lastMs: number | null;
  reported: number;
  lastReportMs: number | null;
  completedMs: number | null;
  serverCpuSeconds: number;
  loadCpuSeconds: number;
  postgresCpuSeconds: number;
  loadAverage: number[];
  pollErrors: Record<string, number>;
  idle: { seconds: number; serverCores: number; postgresCores: number; pollsPerSecond: number };
  arrivalsPerSecond: number[];
  reportsPerSecond: number[];
  failures: string[];
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await BenchServer.start({ db, port, name: 'rollout-dispatch', serverArgs: ['--checkin-interval', '60s'] });
  const figures: Record<string, unknown> = { db, agents, packages, waitSeconds, report, machine: `${cpus()[0]?.model.trim()}, ${cpus().length} logical CPUs`, node: process.version };
  const postgres = new PostgresCpu(server.database ?? '');
  const sampler = setInterval(() => db === 'postgres' && postgres.sample(), 500);
  let poller: JobPoller | undefined;
  let sim: Simulation | undefined;
  try {
    // The fleet: N agents in prod, each with its first inventory.
    const fleet = await SyntheticFleet.fromFeeds({ packagesPerHost: packages, seed: 1 });
    const { token: enrollToken } = await server.api<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: agents, attributes: { environment: 'prod' } });
    sim = await Simulation.create({ serverUrl: server.url, enrollToken, agents, packagesPerHost: packages, seed: 1, intervalMs: 60_000, durationMs: 0, changedFraction: 0, setupConcurrency, agentVersion: 'bench', fleet });
    const setup = (name: string, r: PhaseReport) => {
      const errors = Object.entries(r.errors).map(([k, n]) => `${n} ${k}`).join(', ');
      line(`setup: ${name}`, `${s(r.elapsedMs)}${errors ? `; errors: ${errors}` : ''}`);
    };
    setup(`enroll ${agents} agents`, await sim.enroll());
    setup(`first inventories (${packages} packages)`, await sim.firstInventories());
    const hosts = sim.enrolled.length;

    // Two people: one requests each change, the other approves it.
    const tokens: Record<string, string> = {};
    for (const [name, role] of [['alice', 'operator'], ['bob', 'approver']] as const) {
      await server.api('POST', '/api/v1/users', { name, roles: [{ role }] });
      tokens[name] = (await server.api<{ token: string }>('POST', '/api/v1/tokens', { name: `${name} bench`, user: name })).token;
    }
    const targets = upgradeTargets(fleet);
    line('patch set targets', `${targets.length}: ${targets.map((t) => `${t.ecosystem} ${t.package}`).join(', ')}`);

    poller = sim.jobPoller({ waitSeconds, report });
    const results: RoundFigures[] = [];
    for (let round = 1; round <= rounds; round++) {
      const patchSet = await server.api<{ number: number }>('POST', '/api/v1/patch-sets', { name: `upgrade ${round}`, targets });
      let t = performance.now();
      const d = await server.api<{ id: number }>('POST', '/api/v1/deployments', { name: `all prod ${round}`, patchSet: patchSet.number, environment: 'prod', strategy: { canary: 0, waves: ['100%'], concurrency: '100%', soakMinutes: 0 } });
      line(`round ${round}: create the deployment (${hosts} hosts)`, s(performance.now() - t));
      const change = await server.api<{ id: string }>('POST', '/api/v1/changes', { kind: 'deployment', environment: 'prod', patchSet: patchSet.number, title: `upgrade ${round}`, reason: 'bench' }, tokens.alice);
      await server.api('POST', `/api/v1/changes/${change.id}/approve`, {}, tokens.bob);
      const status0 = await server.api<{ waves: { install: Record<string, number> }[] }>('GET', `/api/v1/deployments/${d.id}`);
      const jobs = status0.waves[0]?.install.pending ?? 0;
      if (round === 1) {
        t = performance.now();
        await poller.start();
        line(`agents long-polling (${waitSeconds} s each)`, `${hosts} in ${s(performance.now() - t)}`);
      }
      // Idle: every agent long-polls, nothing is dispatched. What waiting costs the server (the
      // re-polls as each wait ends, the wake-up poll for other processes' dispatches); this also
      // gives the last long-polls sent time to reach the server before the start.
      const idle0 = { server: cpuOf(server.pid), postgres: postgres.snapshot(), polls: poller.stats.summary('jobs', 1).count, t: performance.now() };
      await sleep(idleSeconds * 1000);
      const idleS = (performance.now() - idle0.t) / 1000;
      const idle = { seconds: idleS, serverCores: (cpuOf(server.pid) - idle0.server) / idleS, postgresCores: db === 'postgres' ? postgres.since(idle0.postgres) / idleS : 0, pollsPerSecond: (poller.stats.summary('jobs', 1).count - idle0.polls) / idleS };
      line(`round ${round}: idle, ${hosts} agents waiting`, `${idle.pollsPerSecond.toFixed(0)} polls answered/s; cores: server ${idle.serverCores.toFixed(2)}${db === 'postgres' ? `, PostgreSQL ${idle.postgresCores.toFixed(2)}` : ''}`);

      const arrivedBefore = poller.arrivals.length;
      const reportedBefore = poller.reportedAt.length;
      const cpu0 = { server: cpuOf(server.pid), load: selfCpu(), postgres: postgres.snapshot(), load1: loadavg()[0] ?? 0 };
      const wall0 = new Date();
      const t0 = performance.now();
      try {
        await server.api('POST', `/api/v1/deployments/${d.id}/start`, { changeId: change.id });
      } catch (err) {
        // Recorded, not thrown: a server that cannot even take the start is a result too.
        const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : '';
        line(`round ${round}: start call failed`, `after ${s(performance.now() - t0)}: ${(err as Error).message} ${cause}`);
        figures.failure = { round, afterMs: performance.now() - t0, message: (err as Error).message, cause };
        break;
      }
      const startReplyMs = performance.now() - t0;
      const arrivedAll = await within(poller.arrived(arrivedBefore + jobs), timeoutMs);
      // Printed at once: what follows may fail on a server that is overwhelmed by the reports.
      const arrivals = new OperationStats(['arrival', 'report'] as const);
      for (const x of poller.arrivals.slice(arrivedBefore)) arrivals.record('arrival', x.at - t0);
      const a = arrivals.summary('arrival', 1);
      const first = Math.min(...poller.arrivals.slice(arrivedBefore).map((x) => x.at - t0));
      // Arrivals and reports per second after the start: where the time goes between first and last.
      const perSecond = (xs: readonly number[]) => xs.reduce((h, x) => ((h[Math.floor(x / 1000)] = (h[Math.floor(x / 1000)] ?? 0) + 1), h), [] as number[]).map((n) => n ?? 0);
      const arrivalsPerSecond = perSecond(poller.arrivals.slice(arrivedBefore).map((x) => x.at - t0));
      line(`round ${round}: start call answered`, s(startReplyMs));
      line(`round ${round}: manifests at agents`, `${a.count} of ${jobs}${arrivedAll === 'timeout' ? ' (timed out)' : ''}: first ${s(Number.isFinite(first) ? first : null)}, p50 ${s(a.p50Ms)}, p99 ${s(a.p99Ms)}, last ${s(a.maxMs)}`);
      line(`round ${round}: arrivals per second`, arrivalsPerSecond.join(' '));

      let completedMs: number | null = null;
      const failures: string[] = [];
      const attempt = async (what: string, work: () => Promise<void>) => {
        try {
          await work();
        } catch (err) {
          const cause = (err as Error).cause instanceof Error ? ` (${((err as Error).cause as Error).message})` : '';
          failures.push(`${what}: ${(err as Error).message}${cause}`);
        }
      };
      if (report && arrivedAll === 'done') {
        const reportedAll = await within(poller.reported(reportedBefore + jobs), timeoutMs);
        if (reportedAll === 'timeout') failures.push(`reports: not all acknowledged within ${timeoutMs / 1000} s`);
        await attempt('deployment status', async () => {
          for (let i = 0; i < timeoutMs / 100 && completedMs === null; i++) {
            const st = await server.api<{ deployment: { state: string } }>('GET', `/api/v1/deployments/${d.id}`);
            if (st.deployment.state === 'completed') completedMs = performance.now() - t0;
            else await sleep(100);
          }
        });
      }
      const cpu = { server: cpuOf(server.pid) - cpu0.server, load: selfCpu() - cpu0.load, postgres: db === 'postgres' ? postgres.since(cpu0.postgres) : 0 };
      const loadAverage = [cpu0.load1, loadavg()[0] ?? 0];

      // When the engine had dispatched all the jobs, by the server's clock (same machine).
      let dispatches: AuditEvent[] = [];
      let dispatchedMs: number | null = null;
      await attempt('audit events', async () => {
        const events = (await auditSince(server, wall0)).filter((e) => e.target.id === String(d.id));
        dispatches = events.filter((e) => e.action === 'deployment.dispatch');
        let dispatched = 0;
        for (const e of dispatches) {
          dispatched += Number(e.details.jobs);
          if (dispatched >= jobs && dispatchedMs === null) dispatchedMs = new Date(e.at).getTime() - wall0.getTime();
        }
        const completedEvent = events.find((e) => e.action === 'deployment.completed');
        if (completedEvent && completedMs !== null) completedMs = Math.min(completedMs, new Date(completedEvent.at).getTime() - wall0.getTime());
      });

      for (const at of poller.reportedAt.slice(reportedBefore)) arrivals.record('report', at - t0);
      const reportsPerSecond = perSecond(poller.reportedAt.slice(reportedBefore).map((x) => x - t0));
      const r = arrivals.summary('report', 1);
      const elapsed = (performance.now() - t0) / 1000;
      const fig: RoundFigures = {
        round, jobs, startReplyMs, dispatchedMs, dispatchEvents: dispatches.length, arrived: a.count,
        firstMs: Number.isFinite(first) ? first : null, p50Ms: a.p50Ms, p99Ms: a.p99Ms, lastMs: a.maxMs,
        reported: r.count, lastReportMs: r.maxMs, completedMs,
        serverCpuSeconds: cpu.server, loadCpuSeconds: cpu.load, postgresCpuSeconds: cpu.postgres, loadAverage,
        pollErrors: Object.fromEntries(poller.stats.errorCodes),
        idle,
        arrivalsPerSecond,
        reportsPerSecond,
        failures,
      };
      results.push(fig);
      line(`round ${round}: all ${jobs} jobs dispatched (audit, ${dispatches.length} events)`, s(dispatchedMs));
      if (report) line(`round ${round}: reports per second`, reportsPerSecond.join(' '));
      if (report) line(`round ${round}: reports acknowledged, deployment completed`, `${r.count}: last ${s(r.maxMs)}; completed ${s(completedMs)}`);
      for (const f of failures) line(`round ${round}: failed`, f);
      const pg = db === 'postgres' ? `, PostgreSQL ${(cpu.postgres / elapsed).toFixed(2)}` : '';
      line(`round ${round}: cores used`, `server ${(cpu.server / elapsed).toFixed(2)}, load generator ${(cpu.load / elapsed).toFixed(2)}${pg}; load average ${loadAverage.map((x) => x.toFixed(1)).join(' → ')}; server RSS ${rssOf(server.pid).rss.toFixed(0)} MiB`);
      if (poller.stats.errorCodes.size > 0) line('poll/report refusals so far', JSON.stringify(fig.pollErrors));
      if (failures.length > 0) break; // the server is in no state for another round
    }
    table(results);
    figures.rounds = results;
    figures.polls = { jobs: poller.stats.summary('jobs', 1), report: poller.stats.summary('report', 1), errors: Object.fromEntries(poller.stats.errorCodes) };
    writeFileSync(join(OUT, `rollout-dispatch-${db}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    clearInterval(sampler);
    await poller?.stop();
    sim?.close();
    await server.stop();
  }
}

function table(results: readonly RoundFigures[]): void {
  const head = ['round', 'jobs', 'start reply', 'dispatched', 'first', 'p50', 'p99', 'last', ...(report ? ['reported', 'completed'] : [])];
  const rows = results.map((f) => [String(f.round), String(f.jobs), s(f.startReplyMs), s(f.dispatchedMs), s(f.firstMs), s(f.p50Ms), s(f.p99Ms), s(f.lastMs), ...(report ? [s(f.lastReportMs), s(f.completedMs)] : [])]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(`\n${db}, ${agents} agents, times from the start call:\n${fmt(head)}\n${rows.map(fmt).join('\n')}`);
}

await main();
