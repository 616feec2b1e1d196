import { AgentClient, type HttpTransport } from '@patchwise/agent';
import type { JobManifest, JobReport } from '@patchwise/core';
import { keepAliveTransport } from './keep-alive-transport.js';
import { OperationStats } from './operation-stats.js';
import type { SimulatedAgent } from './simulated-agent.js';

/** What the job poller does against the API: long-polls for manifests, and reports. */
export type JobOperation = 'jobs' | 'report';
export const JOB_OPERATIONS: readonly JobOperation[] = ['jobs', 'report'];

/** One manifest, the first time a simulated agent received it. */
export interface JobArrival {
  readonly hostId: string;
  readonly manifest: JobManifest;
  /** `now()` once the reply carrying it had been read. */
  readonly at: number;
}

export interface JobPollerOptions {
  /** The server (the simulator checks it is http://127.0.0.1 before it enrolls anyone). */
  readonly serverUrl: string;
  /** Enrolled agents (their `hostId` set). */
  readonly agents: readonly SimulatedAgent[];
  /** How long the server may hold each poll (default 30 s; the API allows up to 60). */
  readonly waitSeconds?: number;
  /**
   * Report success for each job, then poll again (default true). Without reports an agent stops
   * polling after its first manifest, as a busy executor would: the server hands a fetched job
   * out again until it is reported, so polling on would only repeat it.
   */
  readonly report?: boolean;
  /** First polls (which open each agent's connection) in flight at once while starting (default 64). */
  readonly startConcurrency?: number;
  /** Pause after a failed or refused poll, so a refusal never turns into a hot loop (default 1 s). */
  readonly retryMs?: number;
  /** Wall clock for request timestamps and reports. */
  readonly clock?: () => Date;
  /** Monotonic milliseconds for arrival instants and latencies. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The HTTP client; by default a keep-alive transport with a socket per agent (each holds a long-poll). */
  readonly transport?: HttpTransport;
}

/**
 * Simulated agents taking part in deployments: each long-polls `POST /api/v1/agent/jobs`
 * through the real `AgentClient` (its own signature on every request), records the instant each
 * manifest first arrives, optionally reports success with a report built from its synthetic
 * inventory, and polls again at once. What a benchmark reads: `arrivals` (in arrival order),
 * `reportedAt` (instants the server acknowledged a report), and `stats` (latency and refusals
 * by code per operation).
 */
export class JobPoller {
  readonly arrivals: JobArrival[] = [];
  readonly reportedAt: number[] = [];
  readonly stats = new OperationStats<JobOperation>(JOB_OPERATIONS);
  private readonly client: AgentClient;
  private readonly transport: ReturnType<typeof keepAliveTransport> | undefined;
  private readonly now: () => number;
  private readonly clock: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly seen = new Set<string>();
  private readonly watchers: { readonly done: () => boolean; readonly resolve: () => void; readonly reject: (err: unknown) => void }[] = [];
  private loops: Promise<void>[] = [];
  private stopped = false;
  /** A loop's unexpected error (a bug, not a refusal): fails every wait instead of hanging it. */
  private failure: Error | undefined;

  constructor(private readonly o: JobPollerOptions) {
    this.now = o.now ?? (() => performance.now());
    this.clock = o.clock ?? (() => new Date());
    this.sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    // Every waiting agent holds a connection for up to waitSeconds: a smaller pool would queue
    // polls in the client, and the server would never see them.
    this.transport = o.transport ? undefined : keepAliveTransport(o.agents.length + 16);
    this.client = new AgentClient(o.serverUrl, this.clock, o.transport ?? this.transport);
  }

  /**
   * Starts every agent's loop. Resolves once each agent's first poll (without waiting) has been
   * answered and its long-poll sent: from then on, a dispatch reaches agents that are waiting.
   * First polls go `startConcurrency` at a time, so connections open at a pace the server's
   * listen backlog takes.
   */
  async start(): Promise<void> {
    let next = 0;
    const agents = this.o.agents;
    const opened: Promise<void>[] = [];
    const opener = async () => {
      while (next < agents.length && !this.stopped) {
        const agent = agents[next++] as SimulatedAgent;
        let ready!: () => void;
        const sent = new Promise<void>((resolve) => (ready = resolve));
        const loop = this.loop(agent, ready);
        this.loops.push(loop);
        loop.catch((err: unknown) => {
          this.failure ??= err instanceof Error ? err : new Error(String(err));
          ready();
          for (const w of this.watchers.splice(0)) w.reject(err);
        });
        opened.push(sent);
        await sent;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.startConcurrency ?? 64, agents.length) }, opener));
    await Promise.all(opened);
    if (this.failure !== undefined) throw this.failure;
  }

  /** Resolves once `count` distinct manifests have arrived. */
  arrived(count: number): Promise<void> {
    return this.watch(() => this.arrivals.length >= count);
  }

  /** Resolves once the server has acknowledged `count` reports. */
  reported(count: number): Promise<void> {
    return this.watch(() => this.reportedAt.length >= count);
  }

  /** Ends every loop: polls in flight are cut off (their connections closed), nothing more is sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.transport?.close();
    await Promise.all(this.loops);
  }

  private async loop(agent: SimulatedAgent, ready: () => void): Promise<void> {
    const waitSeconds = this.o.waitSeconds ?? 30;
    let first = true;
    while (!this.stopped) {
      // The first poll does not wait: it opens the connection and proves the agent is known.
      const signed = await this.stats.time('jobs', this.now, () => this.client.jobs(agent, first ? 0 : waitSeconds)).catch((err: unknown) => {
        // Connections cut by stop() end the loop; anything else is a bug and is kept.
        if (this.stopped) return undefined;
        throw err;
      });
      if (this.stopped) break;
      if (first) {
        first = false;
        ready();
      }
      if (signed === undefined) {
        await this.sleep(this.o.retryMs ?? 1000);
        continue;
      }
      const at = this.now();
      const fresh = signed.map((s) => JSON.parse(s.payload) as JobManifest).filter((m) => !this.seen.has(m.jobId));
      for (const manifest of fresh) {
        this.seen.add(manifest.jobId);
        this.arrivals.push({ hostId: agent.hostId, manifest, at });
      }
      if (fresh.length > 0) this.notify();
      if (this.o.report === false) {
        if (fresh.length > 0) break;
        continue;
      }
      for (const manifest of fresh) {
        const reply = await this.stats.time('report', this.now, () => this.client.reportJob(agent, jobReport(agent, manifest, this.clock())));
        if (reply !== undefined) {
          this.reportedAt.push(this.now());
          this.notify();
        }
      }
    }
    ready();
  }

  private watch(done: () => boolean): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => this.watchers.push({ done, resolve, reject }));
  }

  private notify(): void {
    for (let i = this.watchers.length - 1; i >= 0; i--) {
      const w = this.watchers[i]!;
      if (w.done()) {
        this.watchers.splice(i, 1);
        w.resolve();
      }
    }
  }
}

/**
 * The report of a job that succeeded at once: `previous` is what the synthetic inventory has of
 * each target, `after` the targets, and one synthetic command record (a real executor keeps each
 * command's argv, exit status and output).
 */
export function jobReport(agent: SimulatedAgent, m: JobManifest, at: Date): JobReport {
  const when = at.toISOString();
  const names = m.targets.map((t) => t.name);
  return {
    jobId: m.jobId,
    idempotencyKey: m.idempotencyKey,
    outcome: 'succeeded',
    previous: agent.installedVersions(names),
    after: m.targets.map((t) => ({ name: t.name, version: t.version })),
    rebootRequired: false,
    rebooted: false,
    failure: null,
    rollbackFailed: false,
    commands: [{ step: m.action, argv: [m.manager, m.action === 'install' ? 'install' : 'downgrade', '-y', ...names], exitCode: 0, signal: null, stdout: 'Complete!\n', stderr: '', startedAt: when, durationMs: 0 }],
    startedAt: when,
    finishedAt: when,
  };
}
