import { existsSync } from 'node:fs';
import { PatchwiseError, countNoun } from '@patchwise/core';
import { parseDuration } from '@patchwise/server';
import { ALMA_FEED, OPERATIONS, checkSimulationTarget, simulateFleet, type SimulationReport } from '@patchwise/simulator';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

export interface SimulateOptions {
  readonly agents: string;
  readonly server?: string;
  readonly enrollToken?: string;
  readonly interval: string;
  readonly duration: string;
  readonly changedFraction: string;
  readonly packages: string;
  readonly seed: string;
  readonly concurrency?: string;
  readonly setupConcurrency: string;
  readonly feed?: string;
  readonly json?: boolean;
}

interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly version: string;
  /** The admin API of the local server (PATCHWISE_URL/TOKEN or its data directory). */
  readonly api: () => Promise<ApiClient>;
}

/**
 * `patchwise simulate`: N simulated agents against a local server. Without --enroll-token it
 * makes one with the admin token, good for exactly N enrollments and for the run's length.
 */
export async function simulateCommand(opts: SimulateOptions, io: Io): Promise<number> {
  const agents = wholeNumber(opts.agents, '--agents');
  if (agents < 1) throw new PatchwiseError('PW_USAGE', `--agents must be at least 1, not ${agents}`);
  const durationMs = parseDuration(opts.duration, '--duration');
  const serverUrl = checkSimulationTarget(opts.server ?? (await io.api()).url).origin;
  const changedFraction = Number(opts.changedFraction);
  // The default lies beside a development checkout (../shared/data); elsewhere the flag is the way.
  const feed = opts.feed ?? ALMA_FEED;
  if (!existsSync(feed)) throw new PatchwiseError('PW_INPUT_UNREADABLE', 'no such file or directory: the simulated inventories are drawn from an AlmaLinux OSV archive; give one with --feed FILE', { input: feed });
  let enrollToken = opts.enrollToken ?? process.env.PATCHWISE_ENROLL_TOKEN;
  if (!enrollToken) {
    const created = await (await io.api()).post<{ token: string }>('/api/v1/enroll-tokens', { maxUses: agents, expiresInSeconds: Math.ceil(durationMs / 1000) + 3600, attributes: { tags: ['simulated'] } });
    enrollToken = created.token;
  }
  const report = await simulateFleet({
    serverUrl,
    enrollToken,
    agents,
    intervalMs: parseDuration(opts.interval, '--interval'),
    durationMs,
    changedFraction,
    packagesPerHost: wholeNumber(opts.packages, '--packages'),
    seed: wholeNumber(opts.seed, '--seed'),
    concurrency: opts.concurrency === undefined ? undefined : wholeNumber(opts.concurrency, '--concurrency'),
    setupConcurrency: wholeNumber(opts.setupConcurrency, '--setup-concurrency'),
    almaFeed: feed,
    agentVersion: `${io.version}-simulated`,
    log: (line) => io.stderr.write(`patchwise simulate: ${line}\n`),
  });
  io.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  const failed = report.phases.some((p) => Object.keys(p.errors).length > 0);
  return failed ? 1 : 0;
}

function formatReport(r: SimulationReport): string {
  const loop = r.mode === 'open-loop' ? `every ${r.intervalSeconds} s ±10 %` : `closed loop, ${r.concurrency} in flight`;
  const head = `${r.enrolled} of ${countNoun(r.agents, 'agent')} enrolled (run ${r.runId}, ${countNoun(r.packagesPerHost, 'package')} each, seed ${r.seed}) against ${r.serverUrl}; steady: ${loop}, ${r.changedFraction * 100} % changed\n`;
  const ms = (x: number | null) => (x === null ? '-' : x.toFixed(1));
  const rows = r.phases.flatMap((p) =>
    OPERATIONS.filter((op) => p.operations[op].count + p.operations[op].errors > 0).map((op) => {
      const s = p.operations[op];
      return [p.name, op, String(s.count), String(s.errors), s.perSecond.toFixed(1), ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs), (p.elapsedMs / 1000).toFixed(1)];
    }),
  );
  const errors = r.phases.flatMap((p) => Object.entries(p.errors).map(([code, n]) => `  ${p.name}: ${n} × ${code}\n`));
  return head + textTable(['phase', 'operation', 'ok', 'errors', 'per s', 'p50 ms', 'p99 ms', 'max ms', 'phase s'], rows) + (errors.length ? `errors:\n${errors.join('')}` : '');
}

function wholeNumber(text: string, input: string): number {
  const n = /^\d{1,9}$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(n)) throw new PatchwiseError('PW_USAGE', `"${text}" is not a whole number`, { input });
  return n;
}
