import { join } from 'node:path';
import { AgentlessHostStore, RolloutStore, isPatchwiseError, parsePublicKey, verifyJobManifest, type AgentlessHost, type JobManifest, type JobReport } from '@patchwise/core';
import { JobJournal, SshRunner, createPackageDriver, executeJob, reportBack, runnerReboot, type ReportBackDeps, type SshClientKey, type SshTimeouts } from '@patchwise/agent';
import type { Kysely } from 'kysely';
import { tablesOf, type Database } from '../database.js';
import type { AgentJobs } from './agent-jobs.js';

export interface AgentlessExecutorOptions {
  readonly clientKey: SshClientKey;
  /** The server's job-signing public key: manifests are checked as an agent would, even here. */
  readonly jobSigningPublicKey: string;
  /** Where each agentless host's job journal lives (`<dir>/<host id>/jobs`). */
  readonly journalDir: string;
  readonly timeouts?: SshTimeouts;
  readonly log: (line: string) => void;
  /** How post-checks are retried once a host is back from its reboot (tests shorten it). */
  readonly afterReboot?: Pick<ReportBackDeps, 'sleep' | 'settleMs'>;
}

/**
 * The agent's part, for hosts without one: the engine dispatches their jobs like anyone's; this
 * takes them over SSH with the host key pinned, checks each manifest exactly as an agent would
 * (signature, host, expiry), runs it with the same drivers and `executeJob` through an
 * `SshRunner`, with the host's journal kept in the server's data directory, and reports through
 * the same path as an agent. Runs on the engine leader only, one job at a time per host; a host
 * that cannot be reached gets its jobs reported failed with the reason, without touching it.
 */
export class AgentlessExecutor {
  private readonly busy = new Set<string>();
  private readonly pinnedKey;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: () => Date,
    private readonly agentJobs: AgentJobs,
    private readonly o: AgentlessExecutorOptions,
  ) {
    this.pinnedKey = parsePublicKey(o.jobSigningPublicKey);
  }

  /** Runs the jobs waiting for agentless hosts (a few hosts at a time); returns how many jobs ran. */
  async runPending(parallel = 4): Promise<number> {
    // Hosts with jobs out (dispatched, or left running by a killed server: handed out again and
    // resumed from the host's journal, like an agent's) or waiting to be back from a reboot;
    // two queries over the in-flight index, however many agentless hosts are idle.
    const store = new RolloutStore(tablesOf(this.db));
    const targets = (await new AgentlessHostStore(tablesOf(this.db), this.clock).list()).filter((t) => !this.busy.has(t.hostId));
    const ids = targets.map((t) => t.hostId);
    const withJobs = await store.hostsWithJobsOut(ids);
    const rebooting = await store.rebootingReports(ids);
    const queue = targets.filter((t) => withJobs.has(t.hostId) || rebooting.has(t.hostId));
    let ran = 0;
    const worker = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) ran += await this.runHost(t, rebooting.get(t.hostId) ?? []);
    };
    await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, worker));
    return ran;
  }

  /** Runs `target`'s waiting jobs, and reports it back from the reboots of `rebooting` once its boot id changed (its post-checks run again). */
  private async runHost(target: AgentlessHost, rebooting: readonly JobReport[]): Promise<number> {
    this.busy.add(target.hostId);
    try {
      const signed = await new RolloutStore(tablesOf(this.db)).fetchForHost(target.hostId, this.clock());
      if (signed.length === 0 && rebooting.length === 0) return 0;
      const manifests: JobManifest[] = [];
      for (const s of signed) manifests.push(verifyJobManifest(s, { pinnedKey: this.pinnedKey, hostId: target.hostId, now: this.clock() }));
      let runner: SshRunner;
      try {
        runner = await SshRunner.connect({ host: target.address, port: target.port, username: target.user, privateKey: this.o.clientKey.privateKey, hostKeySha256: target.hostKeySha256, clock: this.clock, ...(this.o.timeouts ? { timeouts: this.o.timeouts } : {}) });
      } catch (err) {
        if (!isPatchwiseError(err)) throw err;
        // A host that is rebooting is expected to refuse connections for a while.
        if (manifests.length === 0) return 0;
        this.o.log(`agentless host ${target.address}:${target.port}: ${err.message}`);
        for (const m of manifests) await this.agentJobs.report(target.hostId, unreachable(m, `${err.code}: ${err.message}`, this.clock()));
        return manifests.length;
      }
      try {
        const reboot = runnerReboot(runner, 'machine');
        const journal = new JobJournal(join(this.o.journalDir, target.hostId));
        if (rebooting.length > 0) {
          const bootId = await reboot.bootId();
          // Connected with the reboot still ahead (`shutdown -r +1`) is not back: the boot id tells.
          const back = rebooting.filter((r) => bootId !== null && bootId !== r.bootId);
          for (const r of back) {
            const postChecks = (await journal.get(r.idempotencyKey))?.postChecks ?? [];
            await this.agentJobs.report(target.hostId, await reportBack(r, postChecks, bootId, { runner, fetch, clock: this.clock, ...this.o.afterReboot }));
          }
        }
        for (const m of manifests) {
          const report = await executeJob(m, {
            driver: createPackageDriver(m.manager, runner),
            runner,
            journal,
            clock: this.clock,
            fetch,
            reboot,
          });
          await this.agentJobs.report(target.hostId, report);
        }
        return manifests.length;
      } finally {
        await runner.close();
      }
    } finally {
      this.busy.delete(target.hostId);
    }
  }
}

/** The report of a job whose host could not be reached: nothing ran there. */
function unreachable(m: JobManifest, message: string, now: Date): JobReport {
  const at = now.toISOString();
  return { jobId: m.jobId, idempotencyKey: m.idempotencyKey, outcome: 'failed', previous: [], after: [], rebootRequired: false, rebooted: false, failure: { step: 'connect', message }, rollbackFailed: false, commands: [], startedAt: at, finishedAt: at };
}
