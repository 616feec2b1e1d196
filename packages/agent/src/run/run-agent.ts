import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { PatchwiseError, isPatchwiseError, jobSigningKeyId, parsePublicKey } from '@patchwise/core';
import { buildInventoryDocument, collectFacts, collectPackages, inventoryDigest } from '../collect/index.js';
import type { CollectedPackages, HostFacts, InventoryDocument } from '../collect/index.js';
import { AgentClient, type Signer } from './agent-client.js';
import { AgentState } from './agent-state.js';
import { ChrootRunner, JobJournal, LocalRunner, runnerReboot } from '../execute/index.js';
import { JobManifestGate } from './job-manifest-gate.js';
import { JobRunner } from './job-runner.js';
import { PendingReboots } from './pending-reboots.js';
import { sameApproverPins, type ApproverPins } from './approver-pins.js';
import { toWireFacts } from './wire-facts.js';

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
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
  /** Run deployment jobs (default true): between check-ins the agent long-polls for job manifests. */
  readonly jobs?: boolean;
}

/** Exit statuses of `agent run --once` (and of the loop when it must stop). */
export const AGENT_EXIT = { ok: 0, failed: 1, usage: 2, quarantined: 3 } as const;

const FIRST_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 15 * 60_000;

/**
 * The agent: enroll once, then check in every interval the server sets (±10% jitter so a fleet
 * restarted together spreads out), sending the inventory only when its digest changed. Failures
 * back off exponentially (5 s doubling to 15 min, with jitter). One log line per check-in.
 */
export async function runAgent(o: RunAgentOptions): Promise<number> {
  const clock = o.clock ?? (() => new Date());
  const random = o.random ?? Math.random;
  const sleep = o.sleep ?? abortableSleep;
  const state = new AgentState(o.stateDir);
  let identity = state.identity();
  if (!identity) {
    if (!o.serverUrl || !o.enrollToken) {
      throw new PatchwiseError('PW_USAGE', `not enrolled yet (no identity in ${o.stateDir}): pass --server URL and --enroll-token TOKEN`);
    }
    const keys = state.keyPair();
    const facts = await collectFacts({ root: o.root });
    const hostName = o.hostName ?? facts.hostname ?? facts.machineId ?? 'unnamed-host';
    const reply = await new AgentClient(o.serverUrl, clock, o.fetch).enroll(o.enrollToken, keys.publicKey, toWireFacts(facts, hostName, o.agentVersion), o.attributes);
    const jobSigningKey = pinnableKey(reply.jobSigningKey);
    state.saveIdentity(reply.hostId, o.serverUrl, jobSigningKey, o.approvers);
    identity = state.identity();
    if (!identity) throw new Error('identity just saved cannot be read');
    o.log(`enrolled as host ${reply.hostId} (${reply.status}${reply.quarantineReason ? `: ${reply.quarantineReason}` : ''})`);
    o.log(
      jobSigningKey
        ? `pinned the server's job-signing key ${jobSigningKeyId(parsePublicKey(jobSigningKey))}: only job manifests it signed will run`
        : 'warning: the server sent no valid job-signing key; every job manifest will be refused until this agent re-enrolls',
    );
    if (identity.requiredApprovals > 0) {
      const where = identity.approvalEnvironment ? ` on changes to ${identity.approvalEnvironment}` : '';
      o.log(`pinned ${identity.approverKeys.length} approver key(s): each job needs ${identity.requiredApprovals} of their signatures${where}`);
    }
  } else if (o.approvers && !sameApproverPins(o.approvers, identity)) {
    // Going on with the old pins would let the operator believe the new approvers apply.
    throw new PatchwiseError('PW_USAGE', `approvers are pinned at enrollment and this agent pinned others (${identity.requiredApprovals} of ${identity.approverKeys.length}); re-enroll to change them`);
  }
  const client = new AgentClient(o.serverUrl ?? identity.serverUrl, clock, o.fetch);
  const signer: Signer = { hostId: identity.hostId, privateKey: createPrivateKey(identity.privateKeyPem) };
  const jobs = o.jobs === false ? undefined : jobRunnerFor(state, client, signer, o, clock);
  let failures = 0;
  for (;;) {
    let waitMs: number;
    try {
      let intervalSeconds = await checkInOnce(client, signer, o);
      // Jobs waiting now run before `--once` returns; a job changed the packages, so check in again.
      if (jobs && (await jobs.runOnce(0)) > 0) intervalSeconds = await checkInOnce(client, signer, o);
      failures = 0;
      if (o.once) return AGENT_EXIT.ok;
      waitMs = intervalSeconds * 1000 * (0.9 + random() * 0.2);
      if (jobs) waitMs = await pollJobsUntil(jobs, clock().getTime() + waitMs, clock, o);
    } catch (err) {
      if (!isPatchwiseError(err)) throw err;
      o.log(`check-in failed: ${err.message}`);
      if (err.code === 'PW_QUARANTINED') return AGENT_EXIT.quarantined;
      if (o.once) return AGENT_EXIT.failed;
      failures++;
      waitMs = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (failures - 1)) * (0.5 + random() * 0.5);
    }
    o.log(`next check-in in ${Math.round(waitMs / 1000)}s`);
    await sleep(waitMs, o.signal);
    if (o.signal?.aborted) return AGENT_EXIT.ok;
  }
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
      if ((await jobs.runOnce(Math.min(30, Math.floor(left / 1000)))) > 0) return 0;
    } catch (err) {
      if (!isPatchwiseError(err)) throw err;
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
 * ecosystem) must not look gone. What could not be reported is logged with its reason.
 */
async function checkInOnce(client: AgentClient, identity: Signer, o: RunAgentOptions): Promise<number> {
  const facts = await collectFacts({ root: o.root });
  const hostName = o.hostName ?? facts.hostname ?? facts.machineId ?? 'unnamed-host';
  const offer = await inventoryOffer(facts, hostName, o);
  if (offer.problem) o.log(`inventory problem: ${offer.problem}`);
  const reply = await client.checkin(identity, toWireFacts(facts, hostName, o.agentVersion), offer.document ? inventoryDigest(offer.document) : null, o.attributes);
  if (!offer.document) {
    o.log(`check-in ok: ${hostName}, no inventory to send (see the inventory problem above)`);
    return reply.intervalSeconds;
  }
  if (!reply.sendInventory) {
    o.log(`check-in ok: ${hostName}, ${offer.document.packages.length} packages, inventory unchanged`);
    return reply.intervalSeconds;
  }
  if (!offer.complete) {
    // A partial list would make the server close findings of the packages it misses as fixed.
    o.log(`check-in ok: ${hostName}, inventory NOT sent: a package database could not be read (see warnings)`);
    return reply.intervalSeconds;
  }
  const put = await client.putInventory(identity, inventoryDigest(offer.document), offer.document);
  const { opened, fixed } = put.changes;
  const open = put.open;
  o.log(`check-in ok: ${hostName}, inventory sent (${put.packages} packages; ${opened} findings opened, ${fixed} fixed; open P1 ${open.P1} P2 ${open.P2} P3 ${open.P3} P4 ${open.P4})`);
  return reply.intervalSeconds;
}

/** What the agent can offer the server this time, and what kept it from offering more. */
interface InventoryOffer {
  /** Undefined when nothing can be sent; the check-in then carries no digest. */
  readonly document?: InventoryDocument;
  readonly complete: boolean;
  readonly problem?: string;
}

/**
 * The inventory document for this check-in. A package database that cannot be read (collectPackages
 * refuses it) leaves no document: sending anything would make the server close findings. A
 * distribution Patchwise has no OSV ecosystem for (CentOS Stream, Debian sid without VERSION_ID)
 * cannot carry its distribution packages in a v1 document; the server could never have matched
 * them, so the Python packages (which name their own ecosystem) are sent alone, without `host.os`.
 * Without any os-release the distribution packages' release is unknown, and nothing is sent.
 */
async function inventoryOffer(facts: HostFacts, hostName: string, o: RunAgentOptions): Promise<InventoryOffer> {
  let collected: CollectedPackages;
  try {
    collected = await collectPackages({ root: o.root });
  } catch (err) {
    if (!isPatchwiseError(err)) throw err;
    return { complete: false, problem: `packages not collected, no inventory sent: ${err.message}` };
  }
  for (const w of collected.warnings) o.log(`warning: ${w}`);
  try {
    return { document: buildInventoryDocument(facts, collected.packages, { hostName }), complete: collected.complete };
  } catch (err) {
    if (!isPatchwiseError(err) || (err.code !== 'PW_ECOSYSTEM_UNKNOWN' && err.code !== 'PW_INPUT_INVALID')) throw err;
    if (facts.os === null) return { complete: false, problem: `no inventory sent: ${err.message}` };
    const own = collected.packages.filter((p) => p.ecosystem !== undefined);
    const left = collected.packages.length - own.length;
    return {
      document: buildInventoryDocument({ ...facts, os: null }, own, { hostName }),
      complete: collected.complete,
      problem: `${left} distribution packages not sent (${err.message}); ${own.length} packages that name their own ecosystem (PyPI) sent`,
    };
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
