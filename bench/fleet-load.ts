/**
 * Benchmark: the server under a simulated fleet (issue 3, point 10). Starts a real
 * `patchwise server` in its own process (PGlite in a fresh data directory, or a fresh database on
 * the PostgreSQL at 127.0.0.1:5432), imports 90 % of the real AlmaLinux feed, then drives it with
 * `Simulation` (@patchwise/simulator: real HTTP, real Ed25519 signatures, realistic inventories):
 *
 *   1. N agents enroll;
 *   2. each sends its first full inventory (closed loop): full inventory uploads/s;
 *   3. unchanged check-ins as fast as the server takes them (closed loop): check-ins/s;
 *   4. changed inventories re-sent (closed loop, every check-in after a package change);
 *   5. N agents at a 60 s interval (open loop, ~N/60 requests/s): p50/p99 latency;
 *   6. a feed update (the other 10 % of the feed) re-assesses the fleet: seconds until done.
 * Server RSS (current and peak) and the CPU seconds of server (and of its main thread alone) and
 * load generator are recorded per phase, since both share this machine's cores.
 *
 *   flock /tmp/patchwise-bench.lock node --import tsx bench/fleet-load.ts --db pglite|postgres
 *     [--agents 10000] [--packages 1000] [--closed 20] [--open 60] [--concurrency 32] [--setup-concurrency 8]
 *
 * Prints one line per figure and writes bench/out/fleet-load-<db>.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ALMA_FEED, Simulation, type PhaseReport } from '@patchwise/simulator';
import { BenchServer } from './support/bench-server.js';
import { PostgresCpu, cpuOf, mainThreadCpuOf, rssOf, selfCpu } from './support/process-usage.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');

const { values: v } = parseArgs({
  options: Object.fromEntries(['db', 'agents', 'packages', 'closed', 'open', 'concurrency', 'setup-concurrency', 'port'].map((k) => [k, { type: 'string' as const }])),
});
const db = v.db === 'postgres' ? 'postgres' : 'pglite';
const num = (k: string, d: number) => (v[k] === undefined ? d : Number(v[k]));
const agents = num('agents', 10_000);
const packages = num('packages', 1000);
const closedSeconds = num('closed', 20);
const openSeconds = num('open', 60);
const concurrency = num('concurrency', 32);
const setupConcurrency = num('setup-concurrency', 8);
const port = num('port', 18_300 + Math.floor(Math.random() * 500));

/** The feed split in two: most of it imported first, the rest later as "the feed update". */
function splitFeed(): { base: string; update: string; updateRecords: number } {
  const dir = join(OUT, 'fleet-load-feed');
  const base = join(dir, 'almalinux-base.tar.gz');
  const update = join(dir, 'almalinux-update.tar.gz');
  const list = join(dir, 'update.txt');
  if (!existsSync(update)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'x'), { recursive: true });
    execFileSync('tar', ['-xzf', ALMA_FEED, '-C', join(dir, 'x')]);
    const files = readdirSync(join(dir, 'x'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).sort();
    // Every tenth record (by path) is held back: a spread over all three releases and all years.
    const held = files.filter((_, i) => i % 10 === 0);
    const kept = files.filter((_, i) => i % 10 !== 0);
    writeFileSync(list, held.join('\n'));
    writeFileSync(join(dir, 'base.txt'), kept.join('\n'));
    execFileSync('tar', ['-czf', base, '-C', join(dir, 'x'), '-T', join(dir, 'base.txt')]);
    execFileSync('tar', ['-czf', update, '-C', join(dir, 'x'), '-T', list]);
    rmSync(join(dir, 'x'), { recursive: true, force: true });
  }
  return { base, update, updateRecords: readFileSync(list, 'utf8').split('\n').length };
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const feed = splitFeed();
  // Phases say when they ran, in seconds from here (about the server's start): the window to
  // give bench/support/summarize-profile.ts for a profile of the server.
  const spawned = performance.now();
  const server = await BenchServer.start({ db, port, name: 'fleet-load', serverArgs: ['--checkin-interval', '60s'] });
  const pid = server.pid;
  const database = server.database;
  const figures: Record<string, unknown> = { db, agents, packages, concurrency, setupConcurrency, machine: `${cpus()[0]?.model.trim()}, ${cpus().length} logical CPUs`, node: process.version };
  const line = (label: string, value: string) => console.log(`${label.padEnd(48)} ${value}`);
  // A run that stalls says where, instead of waiting silently (once, both processes sat idle
  // with no connection between them, and nothing told which step it was).
  let step = 'start';
  let stepSince = performance.now();
  const at = (next: string) => void ([step, stepSince] = [next, performance.now()]);
  const watchdog = setInterval(() => {
    const seconds = (performance.now() - stepSince) / 1000;
    if (seconds >= 120) console.log(`still at: ${step}, for ${seconds.toFixed(0)} s`);
  }, 30_000);
  try {
    const serverUrl = server.url;
    const admin = <T>(method: string, path: string, body?: unknown): Promise<T> => server.api<T>(method, path, body);

    let started = performance.now();
    at('feed import');
    const baseImport = await server.upload('/api/v1/feeds/import?filename=almalinux-base.tar.gz', readFileSync(feed.base));
    if (baseImport.status !== 200) throw new Error(`base feed import: ${baseImport.text}`);
    line('feed import, 90 % of AlmaLinux (no hosts yet)', `${((performance.now() - started) / 1000).toFixed(1)} s`);

    const { token: enrollToken } = await admin<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: agents });
    const sim = await Simulation.create({
      serverUrl, enrollToken, agents, packagesPerHost: packages, seed: 1, intervalMs: 60_000, durationMs: 0, changedFraction: 0, setupConcurrency, agentVersion: 'bench',
    });
    const phases: Record<string, unknown> = {};
    let peakRss = 0;
    const postgres = new PostgresCpu(database ?? '');
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssOf(pid).rss);
      if (db === 'postgres') postgres.sample();
    }, 500);
    const measured = async (name: string, run: () => Promise<PhaseReport>) => {
      const cpu0 = { server: cpuOf(pid), serverMain: mainThreadCpuOf(pid), load: selfCpu(), postgres: postgres.snapshot(), load1: loadavg()[0] };
      at(name);
      const window = [(performance.now() - spawned) / 1000];
      const report = await run();
      window.push((performance.now() - spawned) / 1000);
      const seconds = report.elapsedMs / 1000;
      const cpu = { server: cpuOf(pid) - cpu0.server, serverMain: mainThreadCpuOf(pid) - cpu0.serverMain, load: selfCpu() - cpu0.load, postgres: postgres.since(cpu0.postgres) };
      const mem = rssOf(pid);
      const loadAverage = [cpu0.load1, loadavg()[0]];
      phases[name] = { ...report, serverCpuSeconds: cpu.server, serverMainThreadCpuSeconds: cpu.serverMain, loadCpuSeconds: cpu.load, postgresCpuSeconds: cpu.postgres, serverRssMiB: mem.rss, loadAverage, window };
      const errors = Object.entries(report.errors).map(([k, n]) => `${n} ${k}`).join(', ');
      for (const [op, s] of Object.entries(report.operations)) {
        if (s.count + s.errors === 0) continue;
        line(`${name}: ${op}`, `${s.count} ok in ${seconds.toFixed(1)} s = ${s.perSecond}/s; p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms${s.errors ? `; ${s.errors} errors` : ''}`);
      }
      const pgCores = db === 'postgres' ? `, PostgreSQL ${(cpu.postgres / seconds).toFixed(2)}` : '';
      line(`${name}: cores used`, `server ${(cpu.server / seconds).toFixed(2)} (its main thread ${(cpu.serverMain / seconds).toFixed(2)}), load generator ${(cpu.load / seconds).toFixed(2)}${pgCores}; load average ${loadAverage.map((x) => x?.toFixed(1)).join(' → ')}; server RSS ${mem.rss.toFixed(0)} MiB; from ${window.map((t) => t.toFixed(0)).join(' to ')} s${errors ? `; errors: ${errors}` : ''}`);
    };

    await measured('enroll', () => sim.enroll());
    await measured('first inventories', () => sim.firstInventories());
    await measured('unchanged check-ins, closed loop', () => sim.steady({ kind: 'closed', concurrency }, closedSeconds * 1000, 0));
    await measured('changed inventories, closed loop', () => sim.steady({ kind: 'closed', concurrency: setupConcurrency }, closedSeconds * 1000, 1));
    await measured(`open loop, ${agents} agents every 60 s`, () => sim.steady({ kind: 'open', intervalMs: 60_000 }, openSeconds * 1000, 0));

    sim.close();
    at('reads');
    // What people read at this size, median of 3: host lists, findings (the fleet's first page,
    // one host's, one finding) and the compliance report, which reads every open finding.
    const someHost = (await admin<{ hosts: { id: string }[] }>('GET', '/api/v1/hosts?limit=1')).hosts[0]?.id ?? '';
    const someFinding = (await admin<{ findings: { id: string }[] }>('GET', '/api/v1/findings?limit=1')).findings[0]?.id ?? '';
    const reads = ['/api/v1/hosts', '/api/v1/hosts?connectivity=offline', '/api/v1/findings', `/api/v1/findings?host=${someHost}`, `/api/v1/findings/${someFinding}`, '/api/v1/reports/compliance'];
    for (const path of reads) {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await admin('GET', path);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const label = path.replace(someHost, ':host').replace(someFinding, ':id');
      // The server's peak RSS so far: which read, if any, raised it.
      const peakMiB = rssOf(pid).peak;
      phases[`GET ${label}`] = { medianMs: times[1], peakRssMiB: peakMiB };
      line(`GET ${label} (${agents} hosts)`, `${times[1]?.toFixed(0)} ms median of 3; server peak RSS ${peakMiB.toFixed(0)} MiB`);
    }

    started = performance.now();
    at('feed update');
    const cpu0 = cpuOf(pid);
    const pg0 = postgres.snapshot();
    const updateImport = await server.upload('/api/v1/feeds/import?filename=almalinux-update.tar.gz', readFileSync(feed.update));
    if (updateImport.status !== 200) throw new Error(`update feed import: ${updateImport.text}`);
    const reassess = { seconds: (performance.now() - started) / 1000, serverCpuSeconds: cpuOf(pid) - cpu0, postgresCpuSeconds: db === 'postgres' ? postgres.since(pg0) : 0, reply: JSON.parse(updateImport.text) as { hostsReassessed: number; records: unknown } };
    phases['feed update'] = reassess;
    const pgUpdate = db === 'postgres' ? `, PostgreSQL ${(reassess.postgresCpuSeconds / reassess.seconds).toFixed(2)}` : '';
    line(`feed update (${feed.updateRecords} records) re-assesses the fleet`, `${reassess.seconds.toFixed(1)} s for ${reassess.reply.hostsReassessed} hosts; cores used: server ${(reassess.serverCpuSeconds / reassess.seconds).toFixed(2)}${pgUpdate}`);
    clearInterval(sampler);
    const mem = rssOf(pid);
    peakRss = Math.max(peakRss, mem.rss);
    const hosts = await admin<{ total: number }>('GET', '/api/v1/hosts?limit=1');
    line('server RSS', `${mem.rss.toFixed(0)} MiB now, ${mem.peak.toFixed(0)} MiB peak, ${hosts.total} hosts`);
    figures.phases = phases;
    figures.serverRss = { nowMiB: mem.rss, peakMiB: mem.peak, hosts: hosts.total };
    writeFileSync(join(OUT, `fleet-load-${db}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    at('server stop');
    await server.stop();
    clearInterval(watchdog);
  }
}

await main();
