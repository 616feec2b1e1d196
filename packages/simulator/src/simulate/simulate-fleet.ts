import { randomBytes } from 'node:crypto';
import { AgentClient } from '@patchwise/agent';
import { PatchwiseError } from '@patchwise/core';
import { SyntheticFleet } from '../fleet/synthetic-fleet.js';
import { OPERATIONS, OperationStats, type Operation, type OperationSummary } from './operation-stats.js';
import { SimulatedAgent } from './simulated-agent.js';

export interface SimulationOptions {
  /** The server; only http://127.0.0.1:PORT is accepted (see `checkSimulationTarget`). */
  readonly serverUrl: string;
  readonly enrollToken: string;
  readonly agents: number;
  /** Each agent checks in once per interval (±10 %), as the real agent does; open loop. */
  readonly intervalMs: number;
  /** How long the steady phase lasts (after enrollment and first inventories). */
  readonly durationMs: number;
  /** Share of check-ins preceded by a package change, so the server asks for the inventory. */
  readonly changedFraction: number;
  readonly packagesPerHost: number;
  readonly seed: number;
  /** Closed loop instead: this many agents' requests in flight, each sent as soon as one ends. */
  readonly concurrency?: number | undefined;
  /** Requests in flight while enrolling and sending first inventories (default 8). */
  readonly setupConcurrency?: number | undefined;
  readonly agentVersion: string;
  /** A fleet built already (tests share one); else built from the AlmaLinux feed. */
  readonly fleet?: SyntheticFleet | undefined;
  readonly almaFeed?: string | undefined;
  /** Wall clock for request timestamps (must agree with the server's within 5 minutes). */
  readonly clock?: () => Date;
  /** Monotonic milliseconds, for latencies and the phase's end. */
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly fetch?: typeof fetch;
  /** Names this run's hosts (`sim-<runId>-00042`) and seeds their machine ids; random by default. */
  readonly runId?: string;
  readonly log?: (line: string) => void;
}

export type PhaseName = 'enroll' | 'first-inventory' | 'steady';

export interface PhaseReport {
  readonly name: PhaseName;
  readonly elapsedMs: number;
  readonly operations: Readonly<Record<Operation, OperationSummary>>;
  /** Failed operations by error code (PW_RATE_LIMITED, PW_SERVER_UNREACHABLE, …). */
  readonly errors: Readonly<Record<string, number>>;
}

export interface SimulationReport {
  readonly serverUrl: string;
  readonly runId: string;
  readonly agents: number;
  readonly enrolled: number;
  readonly packagesPerHost: number;
  readonly seed: number;
  readonly mode: 'open-loop' | 'closed-loop';
  readonly intervalSeconds: number;
  readonly concurrency: number | null;
  readonly changedFraction: number;
  readonly phases: readonly PhaseReport[];
}

/** Bounds that keep one command from becoming a flood or running for days. */
export const SIMULATION_LIMITS = { agents: 100_000, packages: 10_000, durationMs: 3_600_000, concurrency: 1_000 } as const;

/**
 * Refuses any target but this machine's loopback address: the simulator is a load generator,
 * and must never be pointed at someone else's server by a typo.
 */
export function checkSimulationTarget(serverUrl: string): URL {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new PatchwiseError('PW_USAGE', `"${serverUrl}" is not a URL`, { input: '--server' });
  }
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
    throw new PatchwiseError('PW_USAGE', `the simulator only drives a server at http://127.0.0.1:PORT, not ${url.origin}`, { input: '--server' });
  }
  return url;
}

/**
 * Simulates a fleet against a running server through its real HTTP API: N agents, each with its
 * own Ed25519 key and a realistic inventory from the real AlmaLinux feed, (1) enroll, (2) check
 * in and send their first inventory, then (3) check in for `durationMs`, every interval (open
 * loop) or as fast as the server answers (closed loop), sending the inventory when the server
 * asks. Reports counts, rates, p50/p99/max latency and errors per phase and operation.
 */
export async function simulateFleet(o: SimulationOptions): Promise<SimulationReport> {
  checkSimulationTarget(o.serverUrl);
  checkBounds(o);
  const now = o.now ?? (() => performance.now());
  const random = o.random ?? Math.random;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const log = o.log ?? (() => undefined);
  const runId = o.runId ?? randomBytes(3).toString('hex');
  const client = new AgentClient(o.serverUrl, o.clock ?? (() => new Date()), o.fetch ?? fetch);

  const fleet = o.fleet ?? (await SyntheticFleet.fromFeeds({ packagesPerHost: o.packagesPerHost, seed: o.seed, almaFeed: o.almaFeed }));
  const agents = Array.from({ length: o.agents }, () => new SimulatedAgent(fleet.nextHost(), runId, o.agentVersion));
  const phases: PhaseReport[] = [];
  const setup = o.setupConcurrency ?? 8;

  log(`enrolling ${agents.length} agents (${setup} at a time)`);
  phases.push(
    await phase('enroll', now, async (stats) => {
      await pool(agents, setup, async (agent) => {
        const reply = await stats.time('enroll', now, () => client.enroll(o.enrollToken, agent.publicKey, agent.facts));
        if (reply) agent.hostId = reply.hostId;
      });
    }),
  );
  const enrolled = agents.filter((a) => a.hostId !== '');

  const cycle = async (agent: SimulatedAgent, stats: OperationStats, changed: boolean): Promise<void> => {
    if (changed) agent.change(random);
    const digest = agent.digest();
    const reply = await stats.time('checkin', now, () => client.checkin(agent, agent.facts, digest));
    if (reply?.sendInventory) await stats.time('inventory', now, () => client.putInventory(agent, digest, agent.document()));
  };

  log(`first check-in and inventory of ${enrolled.length} agents (${setup} at a time)`);
  phases.push(await phase('first-inventory', now, (stats) => pool(enrolled, setup, (agent) => cycle(agent, stats, false))));

  const end = now() + o.durationMs;
  const changed = () => random() < o.changedFraction;
  if (o.concurrency !== undefined) {
    const concurrency = o.concurrency;
    log(`closed loop for ${o.durationMs / 1000} s, ${concurrency} requests in flight`);
    let next = 0;
    phases.push(
      await phase('steady', now, async (stats) => {
        const worker = async () => {
          while (now() < end && enrolled.length > 0) await cycle(enrolled[next++ % enrolled.length] as SimulatedAgent, stats, changed());
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
      }),
    );
  } else {
    log(`open loop for ${o.durationMs / 1000} s: ${enrolled.length} agents every ${o.intervalMs / 1000} s ±10 %`);
    phases.push(
      await phase('steady', now, async (stats) => {
        // Agents start spread over one interval, as a fleet that has been running for a while.
        const agentLoop = async (agent: SimulatedAgent) => {
          let wait = random() * o.intervalMs;
          for (;;) {
            await sleep(Math.min(wait, Math.max(0, end - now())));
            if (now() >= end) return;
            await cycle(agent, stats, changed());
            wait = o.intervalMs * (0.9 + random() * 0.2);
          }
        };
        await Promise.all(enrolled.map(agentLoop));
      }),
    );
  }
  return {
    serverUrl: o.serverUrl,
    runId,
    agents: o.agents,
    enrolled: enrolled.length,
    packagesPerHost: o.packagesPerHost,
    seed: o.seed,
    mode: o.concurrency === undefined ? 'open-loop' : 'closed-loop',
    intervalSeconds: o.intervalMs / 1000,
    concurrency: o.concurrency ?? null,
    changedFraction: o.changedFraction,
    phases,
  };
}

async function phase(name: PhaseName, now: () => number, run: (stats: OperationStats) => Promise<void>): Promise<PhaseReport> {
  const stats = new OperationStats();
  const started = now();
  await run(stats);
  const elapsedMs = now() - started;
  const operations = Object.fromEntries(OPERATIONS.map((op) => [op, stats.summary(op, elapsedMs)])) as Record<Operation, OperationSummary>;
  return { name, elapsedMs: Math.round(elapsedMs), operations, errors: Object.fromEntries(stats.errorCodes) };
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function checkBounds(o: SimulationOptions): void {
  const bad = (input: string, reason: string) => new PatchwiseError('PW_USAGE', reason, { input });
  const intIn = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi;
  if (!intIn(o.agents, 1, SIMULATION_LIMITS.agents)) throw bad('--agents', `must be a whole number from 1 to ${SIMULATION_LIMITS.agents}`);
  if (!intIn(o.packagesPerHost, 1, SIMULATION_LIMITS.packages)) throw bad('--packages', `must be a whole number from 1 to ${SIMULATION_LIMITS.packages}`);
  if (!(o.durationMs >= 0 && o.durationMs <= SIMULATION_LIMITS.durationMs)) throw bad('--duration', 'must be at most 1h');
  if (!(o.intervalMs >= 1000)) throw bad('--interval', 'must be at least 1s');
  if (!(o.changedFraction >= 0 && o.changedFraction <= 1)) throw bad('--changed-fraction', 'must be between 0 and 1');
  if (o.concurrency !== undefined && !intIn(o.concurrency, 1, SIMULATION_LIMITS.concurrency)) {
    throw bad('--concurrency', `must be a whole number from 1 to ${SIMULATION_LIMITS.concurrency}`);
  }
}
