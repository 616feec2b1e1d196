import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PatchwiseError, countNoun, isPatchwiseError, jobSigningKeyId, lockDirectory, parsePublicKey, makeDirectories } from '@patchwise/core';
import { collectFacts, collectPackages, unreadableFactMessage } from '../collect/index.js';
import type { CollectedPackages, HostFacts, InventoryDocument } from '../collect/index.js';
import { AgentClient, type Signer } from './agent-client.js';
import { AgentState } from './agent-state.js';
import { ChrootRunner, JobJournal, LocalRunner, runnerReboot } from '../execute/index.js';
import { JobManifestGate } from './job-manifest-gate.js';
import { JobRunner } from './job-runner.js';
import { PendingReboots } from './pending-reboots.js';
import { sameApproverPins, type ApproverPins } from './approver-pins.js';
import { toWireFacts } from './wire-facts.js';
import { quarantineHint } from './quarantine-hint.js';
import { offerInventory, refusedOffer, reportedInventoryOf, type InventoryOffer, type ReportedInventory } from './inventory-offer.js';

export interface RunAgentOptions {
  /** Server URL; required to enroll, else the enrolled server. */
  readonly serverUrl?: string | undefined;
  readonly enrollToken?: string | undefined;
  readonly stateDir: string;
  /** The filesystem to inventory: `/`, or a mounted image or chroot. */
  readonly root: string;
  /** Check in once and exit with a status, instead of looping. */
  readonly once: boolean;
  /** Attributes from the agent's configuration (sent at enrollment and every check-in). */
  readonly attributes?: Record<string, unknown> | undefined;
  /** Host name to report instead of the collected one. */
  readonly hostName?: string | undefined;
  /**
   * Approvers to pin at enrollment (`--approvers FILE`): then only manifests M of them signed
   * run. Fixed once enrolled: a different set on a later run is refused.
   */
  readonly approvers?: ApproverPins | undefined;
  readonly agentVersion: string;
  readonly log: (line: string) => void;
  readonly clock?: () => Date;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Stops the agent (SIGTERM, SIGINT): the wait between check-ins and a check-in in flight end at
   * once, a job in flight runs to its end. Its reason, when a string, is logged (`stopping (SIGTERM)`).
   */
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
  /** Run deployment jobs (default true): between check-ins the agent long-polls for job manifests. */
  readonly jobs?: boolean;
}

/** Exit statuses of `agent run --once` (and of the loop when it must stop). */
export const AGENT_EXIT = { ok: 0, failed: 1, usage: 2, quarantined: 3, retired: 4 } as const;

/** The lock file in the state directory: one agent at a time runs jobs and keeps the journal there. */
export const AGENT_LOCK_FILE = 'agent.lock';

const FIRST_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 15 * 60_000;

/**
 * Whether this run has state to keep in `stateDir`: the directory is there already, or the agent
 * is about to enroll. An agent that can neither enroll nor find a directory fails with its usage
 * error; making the directory only to lock it would leave an empty one behind.
 */
export function keepsState(o: Pick<RunAgentOptions, 'stateDir' | 'serverUrl' | 'enrollToken'>): boolean {
  return existsSync(o.stateDir) || (Boolean(o.serverUrl) && Boolean(o.enrollToken));
}

/**
 * The agent: enroll once, then check in every interval the server sets (±10% jitter so a fleet
 * restarted together spreads out), sending the inventory only when its digest changed. Failures
 * back off exponentially (5 s doubling to 15 min, with jitter). One log line per check-in.
 *
 * The agent holds its state directory for as long as it runs: two agents on one directory would
 * both run the jobs delivered to it, and share a job journal and replay guard that assume one
 * writer. A second agent is refused (PW_CONFLICT naming the directory and the holder's process
 * id); a lock left by a killed agent is taken over.
 */
export async function runAgent(o: RunAgentOptions): Promise<number> {
  if (!keepsState(o)) return runLocked(o);
  makeDirectories(o.stateDir, 0o700);
  const lock = lockDirectory(o.stateDir, {
    file: AGENT_LOCK_FILE,
    refusal: (pid) => `another agent (process ${pid}) is running with this state directory; one agent at a time may use it: stop that one, or give this one its own --state`,
  });
  let jobs: JobRunner | undefined;
  const stopping = () => {
    const job = jobs?.runningJob;
    o.log(`stopping (${stopReason(o.signal)})${job ? `: job ${job} runs to its end first` : ''}`);
  };
  o.signal?.addEventListener('abort', stopping, { once: true });
  try {
    if (o.signal?.aborted) stopping();
    return await runLocked(o, (runner) => (jobs = runner));
  } finally {
    o.signal?.removeEventListener('abort', stopping);
    lock.release();
    if (o.signal?.aborted) o.log(`stopped; ${o.stateDir} released`);
  }
}

async function runLocked(o: RunAgentOptions, started?: (jobs: JobRunner | undefined) => void): Promise<number> {
  const clock = o.clock ?? (() => new Date());
  const random = o.random ?? Math.random;
  const sleep = o.sleep ?? abortableSleep;
  const stop = o.signal;
  const state = new AgentState(o.stateDir);
  let identity = state.identity();
  let enrolledQuarantined = false;
  if (!identity) {
    if (!o.serverUrl || !o.enrollToken) {
      throw new PatchwiseError('PW_USAGE', `not enrolled yet (no identity in ${o.stateDir}): pass --server URL and --enroll-token TOKEN`);
    }
    const keys = state.keyPair();
    const { facts, hostName } = await readFacts(o);
    // Never abandoned on a stop: a host the server enrolled without the agent saving its id
    // would refuse the same key at the next try ("this agent key is enrolled already").
    const reply = await new AgentClient(o.serverUrl, clock, o.fetch).enroll(o.enrollToken, keys.publicKey, toWireFacts(facts, hostName, o.agentVersion), o.attributes);
    const jobSigningKey = pinnableKey(reply.jobSigningKey);
    state.saveIdentity(reply.hostId, o.serverUrl, jobSigningKey, o.approvers);
    identity = state.identity();
    if (!identity) throw new Error('identity just saved cannot be read');
    o.log(`enrolled as host ${reply.hostId} (${reply.status}${reply.quarantineReason ? `: ${reply.quarantineReason}` : ''})`);
    enrolledQuarantined = reply.status === 'quarantined';
    o.log(
      jobSigningKey
        ? `pinned the server's job-signing key ${jobSigningKeyId(parsePublicKey(jobSigningKey))}: only job manifests it signed will run`
        : 'warning: the server sent no valid job-signing key; every job manifest will be refused until this agent re-enrolls',
    );
    if (identity.requiredApprovals > 0) {
      const where = identity.approvalEnvironment ? ` on changes to ${identity.approvalEnvironment}` : '';
      o.log(`pinned ${countNoun(identity.approverKeys.length, 'approver key')}: each job needs ${identity.requiredApprovals} of their signatures${where}`);
    }
  } else if (o.approvers && !sameApproverPins(o.approvers, identity)) {
    // Going on with the old pins would let the operator believe the new approvers apply.
    throw new PatchwiseError('PW_USAGE', `approvers are pinned at enrollment and this agent pinned others (${identity.requiredApprovals} of ${identity.approverKeys.length}); re-enroll to change them`);
  }
  const client = new AgentClient(o.serverUrl ?? identity.serverUrl, clock, o.fetch);
  const signer: Signer = { hostId: identity.hostId, privateKey: createPrivateKey(identity.privateKeyPem) };
  const jobs = o.jobs === false ? undefined : jobRunnerFor(state, client, signer, o, clock);
  started?.(jobs);
  let failures = 0;
  while (!stop?.aborted) {
    let waitMs: number;
    try {
      let intervalSeconds = await checkInOnce(client, signer, state, o);
      // Jobs waiting now run before `--once` returns; a job changed the packages, so check in again.
      if (jobs && (await jobs.runOnce(0, stop)) > 0) intervalSeconds = await checkInOnce(client, signer, state, o);
      failures = 0;
      if (o.once) return AGENT_EXIT.ok;
      waitMs = intervalSeconds * 1000 * (0.9 + random() * 0.2);
      if (jobs) waitMs = await pollJobsUntil(jobs, clock().getTime() + waitMs, clock, o);
    } catch (err) {
      if (!isPatchwiseError(err)) throw err;
      // The request the stop abandoned is no failure to report or back off from.
      if (stop?.aborted) break;
      o.log(`check-in failed: ${err.message}`);
      if (err.code === 'PW_QUARANTINED') {
        for (const line of quarantineHint(identity.hostId, o.stateDir, enrolledQuarantined)) o.log(line);
        return AGENT_EXIT.quarantined;
      }
      // Retired is final: retrying would only knock on a closed door. The machine comes back by
      // enrolling again (a new host), which needs its state directory cleared.
      if (err.code === 'PW_HOST_RETIRED') return AGENT_EXIT.retired;
      if (o.once) return AGENT_EXIT.failed;
      failures++;
      waitMs = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1)) * (0.5 + random() * 0.5);
    }
    if (stop?.aborted) break;
    o.log(`next check-in in ${Math.round(waitMs / 1000)}s`);
    await sleep(waitMs, stop);
  }
  return AGENT_EXIT.ok;
}

/** What stopped the agent, for its log: the signal's name when the caller gave it as the reason. */
function stopReason(signal: AbortSignal | undefined): string {
  return typeof signal?.reason === 'string' ? signal.reason : 'asked to stop';
}

/**
 * Waits for the next check-in by long-polling for jobs (at most 30 s a request). Returns the time
 * left to sleep: 0 after a job ran (its inventory change is reported at once), the rest of the
 * wait when the server cannot be reached (the check-in's backoff takes over from there).
 */
async function pollJobsUntil(jobs: JobRunner, deadline: number, clock: () => Date, o: RunAgentOptions): Promise<number> {
  for (;;) {
    const left = deadline - clock().getTime();
    if (left < 1000 || o.signal?.aborted) return Math.max(0, left);
    try {
      if ((await jobs.runOnce(Math.min(30, Math.floor(left / 1000)), o.signal)) > 0) return 0;
    } catch (err) {
      if (!isPatchwiseError(err)) throw err;
      if (o.signal?.aborted) return 0; // the long-poll the stop abandoned
      o.log(`job poll failed: ${err.message}`);
      return Math.max(0, deadline - clock().getTime());
    }
  }
}

function jobRunnerFor(state: AgentState, client: AgentClient, signer: Signer, o: RunAgentOptions, clock: () => Date): JobRunner {
  const local = o.root === '/';
  const runner = local ? new LocalRunner() : new ChrootRunner(o.root);
  return new JobRunner({
    client,
    signer,
    gate: JobManifestGate.forState(state, clock),
    journal: new JobJournal(o.stateDir),
    runner,
    outboxDir: join(o.stateDir, 'outbox'),
    clock,
    fetch: o.fetch ?? fetch,
    // A managed tree is not a machine to reboot: the request is left as a marker in it.
    reboot: runnerReboot(runner, local ? 'machine' : 'marker'),
    pendingReboots: new PendingReboots(join(o.stateDir, 'reboots')),
    log: o.log,
  });
}

/**
 * One check-in. The facts (and with them the server's "last seen") always go out: a host whose
 * packages cannot be reported this time (its database refused, its distribution without an OSV
 * ecosystem or not identifiable) or one of whose facts cannot be read must not look gone. What
 * could not be read or reported is logged with its reason.
 */
async function checkInOnce(client: AgentClient, identity: Signer, state: AgentState, o: RunAgentOptions): Promise<number> {
  const { facts, hostName } = await readFacts(o);
  const reported = lastReported(state, o);
  const offer = await inventoryOffer(facts, hostName, reported, o);
  const problem = offer.problem?.level === 'error' ? 'inventory error' : 'inventory problem';
  if (offer.problem) o.log(`${problem}: ${offer.problem.text}`);
  const reply = await client.checkin(identity, toWireFacts(facts, hostName, o.agentVersion), offer.digest, o.attributes, o.signal);
  if (reply.heldAttributes?.length) o.log(`warning: --attr ${reply.heldAttributes.join(', ')} not applied: a person set ${reply.heldAttributes.length === 1 ? 'it' : 'them'} on the server, which wins over this agent's configuration`);
  if (!offer.document || offer.digest === null) {
    o.log(`check-in ok: ${hostName}, no inventory to send (see the ${problem} above)`);
    return reply.intervalSeconds;
  }
  if (!reply.sendInventory) {
    remember(state, reported, offer.document, offer.digest, o);
    o.log(`check-in ok: ${hostName}, ${offer.document.packages.length} packages, inventory unchanged`);
    return reply.intervalSeconds;
  }
  if (!offer.complete) {
    // A partial list would make the server close findings of the packages it misses as fixed.
    o.log(`check-in ok: ${hostName}, inventory NOT sent: a package database could not be read (see warnings)`);
    return reply.intervalSeconds;
  }
  const put = await client.putInventory(identity, offer.digest, offer.document, o.signal);
  remember(state, reported, offer.document, offer.digest, o);
  const { opened, fixed, retracted } = put.changes;
  const open = put.open;
  o.log(`check-in ok: ${hostName}, inventory sent (${put.packages} packages; ${opened} findings opened, ${fixed} fixed${retracted ? `, ${retracted} retracted` : ''}; open P1 ${open.P1} P2 ${open.P2} P3 ${open.P3} P4 ${open.P4})`);
  // No findings for packages nothing is known about is not a clean bill: say so where the operator looks.
  const uncovered = put.uncovered ?? [];
  if (uncovered.length > 0) o.log(`warning: the server holds no advisories for ${uncovered.join(', ')}: those packages were not assessed (import or sync that feed on the server)`);
  return reply.intervalSeconds;
}

/**
 * The facts, each read on its own: one that cannot be read is null (the server takes null facts)
 * and logged. The host name is the one fact the server requires, so when it is unknown the agent
 * reports, as when none is set, the machine id or `unnamed-host` (`--hostname` pins a name).
 */
async function readFacts(o: RunAgentOptions): Promise<{ facts: HostFacts; hostName: string }> {
  const facts = await collectFacts({ root: o.root, onUnreadable: (fact, err) => o.log(`warning: ${unreadableFactMessage(fact, err)}`) });
  const hostName = o.hostName ?? facts.hostname ?? facts.machineId ?? 'unnamed-host';
  return { facts, hostName };
}

/** The offer for this check-in: the packages collected under the root, judged by offerInventory. */
async function inventoryOffer(facts: HostFacts, hostName: string, reported: ReportedInventory | undefined, o: RunAgentOptions): Promise<InventoryOffer> {
  let collected: CollectedPackages;
  try {
    collected = await collectPackages({ root: o.root });
  } catch (err) {
    if (!isPatchwiseError(err)) throw err;
    return refusedOffer(err.message);
  }
  for (const w of collected.warnings) o.log(`warning: ${w}`);
  return offerInventory(facts, collected, hostName, reported);
}

/** What the server last took, as recorded; a damaged record counts as none (offerInventory then trusts os-release). */
function lastReported(state: AgentState, o: RunAgentOptions): ReportedInventory | undefined {
  try {
    return state.reportedInventory();
  } catch (err) {
    if (!isPatchwiseError(err)) throw err;
    o.log(`warning: ${err.message}`);
    return undefined;
  }
}

/**
 * Records what the server now holds, when it changed (a check-in every interval need not write).
 * The record only guards later uploads, so failing to write it must not fail the check-in.
 */
function remember(state: AgentState, before: ReportedInventory | undefined, document: InventoryDocument, digest: string, o: RunAgentOptions): void {
  const next = reportedInventoryOf(document, digest);
  if (before && JSON.stringify(before) === JSON.stringify(next)) return;
  try {
    state.saveReportedInventory(next);
  } catch (err) {
    o.log(`warning: could not record the inventory the server holds in ${state.dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The key to pin from an enrollment reply, or null. The host is enrolled by now, so a missing or
 * malformed key must not fail the run (a retry would present an already enrolled agent key):
 * the agent works on, refusing manifests with `no-pinned-key`, and says so.
 */
function pinnableKey(key: unknown): string | null {
  if (typeof key !== 'string') return null;
  try {
    parsePublicKey(key);
    return key;
  } catch {
    return null;
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
