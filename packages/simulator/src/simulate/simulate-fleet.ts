import { randomBytes } from 'node:crypto';
import { AgentClient, type HttpTransport } from '@patchwise/agent';
import { PatchwiseError } from '@patchwise/core';
import { SyntheticFleet } from '../fleet/synthetic-fleet.js';
import { JobPoller, type JobPollerOptions } from './job-poller.js';
import { keepAliveTransport } from './keep-alive-transport.js';
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
  /** The HTTP client; by default a keep-alive `node:http` transport (lighter than fetch). */
  readonly fetch?: HttpTransport;
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

/** How the agents of a steady phase check in. */
export type Loop =
  /** Each agent every `intervalMs` ±10 %, as the real agent does. */
  | { readonly kind: 'open'; readonly intervalMs: number }
  /** `concurrency` requests in flight, each sent as soon as one ends. */
  | { readonly kind: 'closed'; readonly concurrency: number };

/**
 * A simulated fleet against a running server, through its real HTTP API: N agents, each with its
 * own Ed25519 key and a realistic inventory from the real AlmaLinux feed. Phases run one after
 * another over the same agents: enroll, first inventories, then any number of steady phases.
 */
export class Simulation {
  private readonly agents: SimulatedAgent[];
  private readonly client: AgentClient;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** The keep-alive transport this simulation made (none when the caller gave one). */
  private readonly transport: ReturnType<typeof keepAliveTransport> | undefined;

  private constructor(
    private readonly o: SimulationOptions,
    fleet: SyntheticFleet,
    readonly runId: string,
  ) {
    this.now = o.now ?? (() => performance.now());
    this.random = o.random ?? Math.random;
    this.sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.transport = o.fetch ? undefined : keepAliveTransport();
    this.client = new AgentClient(o.serverUrl, o.clock ?? (() => new Date()), o.fetch ?? this.transport);
    this.agents = Array.from({ length: o.agents }, () => new SimulatedAgent(fleet.nextHost(), runId, o.agentVersion));
  }

  /** Checks the target and bounds, builds the fleet (from the feed unless given) and the agents. */
  static async create(o: SimulationOptions): Promise<Simulation> {
    checkSimulationTarget(o.serverUrl);
    checkBounds(o);
    const fleet = o.fleet ?? (await SyntheticFleet.fromFeeds({ packagesPerHost: o.packagesPerHost, seed: o.seed, almaFeed: o.almaFeed }));
    return new Simulation(o, fleet, o.runId ?? randomBytes(3).toString('hex'));
  }

  /** Closes the pooled connections (idle ones never keep the process alive anyway). */
  close(): void {
    this.transport?.close();
  }

  /** Agents that enrolled (all of them after a clean `enroll`). */
  get enrolled(): SimulatedAgent[] {
    return this.agents.filter((a) => a.hostId !== '');
  }

  /** Every agent enrolls, `setupConcurrency` at a time. */
  enroll(): Promise<PhaseReport> {
    return phase('enroll', this.now, (stats) =>
      pool(this.agents, this.o.setupConcurrency ?? 8, async (agent) => {
        const reply = await stats.time('enroll', this.now, () => this.client.enroll(this.o.enrollToken, agent.publicKey, agent.facts));
        if (reply) agent.hostId = reply.hostId;
      }),
    );
  }

  /** Every enrolled agent checks in once and sends the inventory the server has not seen. */
  firstInventories(): Promise<PhaseReport> {
    return phase('first-inventory', this.now, (stats) => pool(this.enrolled, this.o.setupConcurrency ?? 8, (agent) => this.cycle(agent, stats, false)));
  }

  /**
   * A job poller over every enrolled agent, against this simulation's server and clocks: the
   * agents' side of deployments (long-polled manifests, reports). Call `start()` on it.
   */
  jobPoller(options: Omit<JobPollerOptions, 'serverUrl' | 'agents' | 'clock' | 'now'> = {}): JobPoller {
    return new JobPoller({ ...options, serverUrl: this.o.serverUrl, agents: this.enrolled, now: this.now, ...(this.o.clock ? { clock: this.o.clock } : {}) });
  }

  /** Check-ins for `durationMs`, a share `changedFraction` of them after a package change. */
  steady(loop: Loop, durationMs: number, changedFraction: number): Promise<PhaseReport> {
    const agents = this.enrolled;
    const end = this.now() + durationMs;
    const changed = () => this.random() < changedFraction;
    if (loop.kind === 'closed') {
      let next = 0;
      return phase('steady', this.now, async (stats) => {
        const worker = async () => {
          while (this.now() < end && agents.length > 0) await this.cycle(agents[next++ % agents.length] as SimulatedAgent, stats, changed());
        };
        await Promise.all(Array.from({ length: loop.concurrency }, worker));
      });
    }
    return phase('steady', this.now, async (stats) => {
      // Agents start spread over one interval, as a fleet that has been running for a while.
      const agentLoop = async (agent: SimulatedAgent) => {
        let wait = this.random() * loop.intervalMs;
        for (;;) {
          await this.sleep(Math.min(wait, Math.max(0, end - this.now())));
          if (this.now() >= end) return;
          await this.cycle(agent, stats, changed());
          wait = loop.intervalMs * (0.9 + this.random() * 0.2);
        }
      };
      await Promise.all(agents.map(agentLoop));
    });
  }

  /** One check-in as the real agent makes it: the digest, then the inventory if the server asks. */
  private async cycle(agent: SimulatedAgent, stats: OperationStats, changed: boolean): Promise<void> {
    if (changed) agent.change(this.random);
    const digest = agent.digest();
    const reply = await stats.time('checkin', this.now, () => this.client.checkin(agent, agent.facts, digest));
    if (reply?.sendInventory) await stats.time('inventory', this.now, () => this.client.putInventoryJson(agent, agent.inventoryBody(digest)));
  }
}

/**
 * `patchwise simulate`: enroll, first inventories, then check-ins for `durationMs` in an open
 * loop at `intervalMs` (or closed, with `concurrency`). Reports counts, rates, p50/p99/max
 * latency and errors per phase and operation.
 */
export async function simulateFleet(o: SimulationOptions): Promise<SimulationReport> {
  const log = o.log ?? (() => undefined);
  const sim = await Simulation.create(o);
  const setup = o.setupConcurrency ?? 8;
  log(`enrolling ${o.agents} agents (${setup} at a time)`);
  const phases = [await sim.enroll()];
  log(`first check-in and inventory of ${sim.enrolled.length} agents (${setup} at a time)`);
  phases.push(await sim.firstInventories());
  const loop: Loop = o.concurrency === undefined ? { kind: 'open', intervalMs: o.intervalMs } : { kind: 'closed', concurrency: o.concurrency };
  log(`checking in for ${o.durationMs / 1000} s: ${loop.kind === 'open' ? `every ${o.intervalMs / 1000} s ±10 %` : `closed loop, ${o.concurrency} in flight`}`);
  phases.push(await sim.steady(loop, o.durationMs, o.changedFraction));
  sim.close();
  return {
    serverUrl: o.serverUrl,
    runId: sim.runId,
    agents: o.agents,
    enrolled: sim.enrolled.length,
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
