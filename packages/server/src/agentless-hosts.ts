import {
  AgentlessHostStore,
  AuditStore,
  EMPTY_ATTRIBUTES,
  HostStore,
  PatchwiseError,
  applyAttributePatch,
  auditDigest,
  isPatchwiseError,
  parseAttributePatch,
  parseSshTarget,
  type AgentlessHost,
  type AuditActor,
  type AuditEventInput,
  type HostRecord,
} from '@patchwise/core';
import { SshRunner, collectRemoteInventory, inventoryDigest, toWireFacts, unreadableFactMessage, type HostFacts, type RemoteInventory, type SshClientKey, type SshTimeouts } from '@patchwise/agent';
import type { Kysely } from 'kysely';
import type { AgentFacts } from './agent-facts.js';
import type { ControlPlane, InventoryReply } from './control-plane.js';
import { tablesOf, type Database } from './database.js';

/** What a person registers: a name and attributes as for any host, and how to reach it. */
export interface AgentlessRegistration {
  readonly name: string;
  readonly address: string;
  readonly port?: number | undefined;
  readonly user: string;
  readonly hostKeySha256: string;
  readonly attributes?: unknown;
}

/** An agentless host: its target and scan state beside the host's name and inventory time. */
export interface AgentlessHostEntry {
  readonly host: HostRecord;
  readonly agentless: AgentlessHost;
}

export interface AgentlessScanReply {
  readonly hostId: string;
  /** False when a package database was found but could not be read (see warnings): nothing was stored. */
  readonly stored: boolean;
  readonly packages: number;
  readonly changes: InventoryReply['changes'] | null;
  readonly open: InventoryReply['open'] | null;
  /** What the scan could not read and went on without: facts reported as unknown (each naming the file or command), then the collectors' warnings. */
  readonly warnings: string[];
  /** Commands run on the host. */
  readonly commands: number;
  readonly durationMs: number;
}

export interface AgentlessOptions {
  /** The server's key pair (ssh-client-key.ts). */
  readonly clientKey: SshClientKey;
  readonly timeouts?: SshTimeouts;
  /** The server's log: a scan's warnings go there as well as to the caller and the registration. */
  readonly log?: (line: string) => void;
}

/**
 * Agentless hosts' use cases: register (a host row and its SSH target, audited), list, remove
 * (the target only: hosts are never deleted), and scan: connect with the host key pinned, read
 * the inventory with the agent's collectors, and store it through the same path as an agent's
 * upload (ControlPlane.storeInventory: snapshot, assessment, findings, audit). Each change and
 * each scan, failed ones included, is one transaction with its audit event.
 */
export class AgentlessHosts {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly controlPlane: ControlPlane,
    private readonly clock: () => Date,
    private readonly options: AgentlessOptions,
  ) {}

  /** The line for each host's `~/.ssh/authorized_keys`. */
  get publicKey(): string {
    return this.options.clientKey.publicKey;
  }

  async register(request: AgentlessRegistration, actor: AuditActor): Promise<AgentlessHostEntry> {
    const target = parseSshTarget(request, 'agentless host');
    const attributes = applyAttributePatch(EMPTY_ATTRIBUTES, request.attributes === undefined ? {} : parseAttributePatch(request.attributes, 'attributes'));
    return this.db.transaction().execute(async (trx) => {
      // Not seen until its first scan: connectivity says "never" rather than "online".
      const host = await new HostStore(tablesOf(trx), this.clock).create({ name: request.name, machineId: null, os: null, ecosystem: null, facts: {}, attributes, seen: false });
      const agentless = await this.store(trx).register(host.id, target);
      await this.audit(trx, {
        actor,
        action: 'host.agentless.register',
        target: { kind: 'host', id: host.id },
        after: auditDigest({ name: host.name, attributes: host.attributes, ...target }),
        details: { name: host.name, ...target },
      });
      return { host, agentless };
    });
  }

  /** Every agentless host still in the fleet (not retired) that `allows` lets the caller see, by name. */
  async list(allows: (host: HostRecord) => boolean): Promise<AgentlessHostEntry[]> {
    const targets = await this.store(this.db).list();
    const hosts = await new HostStore(tablesOf(this.db), this.clock).byIds(targets.map((t) => t.hostId));
    const entries = targets.flatMap((agentless) => {
      const host = hosts.get(agentless.hostId);
      return host && host.status !== 'retired' && allows(host) ? [{ host, agentless }] : [];
    });
    return entries.sort((a, b) => (a.host.name < b.host.name ? -1 : a.host.name > b.host.name ? 1 : 0));
  }

  async get(hostId: string): Promise<AgentlessHostEntry> {
    const agentless = await this.store(this.db).require(hostId);
    return { host: await new HostStore(tablesOf(this.db), this.clock).require(hostId), agentless };
  }

  /** Forgets the SSH target; the host, its inventory and findings stay, as for any host. */
  async remove(hostId: string, actor: AuditActor): Promise<AgentlessHost> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await this.store(trx).remove(hostId);
      const { hostId: _id, ...target } = removed;
      await this.audit(trx, { actor, action: 'host.agentless.remove', target: { kind: 'host', id: hostId }, before: auditDigest(target), details: { address: removed.address, port: removed.port, user: removed.user } });
      return removed;
    });
  }

  /**
   * Connects (host key checked before authenticating), collects, disconnects, then stores. A
   * failure (PW_HOST_KEY_MISMATCH, PW_HOST_UNREACHABLE, an unreadable database, a changed machine
   * id) is recorded on the host and in the audit trail, then thrown.
   */
  async scan(hostId: string, actor: AuditActor): Promise<AgentlessScanReply> {
    const { host, agentless } = await this.get(hostId);
    // Refused before connecting: storing would be refused anyway (ControlPlane.storeInventory).
    if (host.status === 'retired') throw new PatchwiseError('PW_CONFLICT', `host ${host.id} (${host.name}) was retired; it is not scanned any more`);
    if (host.status === 'quarantined') throw new PatchwiseError('PW_QUARANTINED', `host ${host.id} is quarantined: ${host.quarantineReason ?? 'no reason given'}; release it before scanning`);
    const started = performance.now();
    let remote: RemoteInventory;
    try {
      remote = await this.collect(host, agentless);
    } catch (err) {
      throw await this.failed(hostId, err, actor);
    }
    const durationMs = Math.round(performance.now() - started);
    // A fact that could not be read is unknown and said so, as the agent does: the packages are
    // what the scan is for, and failing it would keep the host's findings from being assessed.
    const warnings = [...remote.unreadableFacts.map((u) => unreadableFactMessage(u.fact, u.error)), ...remote.collected.warnings];
    for (const w of warnings) this.options.log?.(`warning: agentless scan of ${host.name} (${hostId}): ${w}`);
    const base = { hostId, packages: remote.document.packages.length, warnings, commands: remote.commands.length, durationMs };
    if (!remote.collected.complete) {
      // As the agent does: a partial list would close the missing packages' findings as fixed.
      const message = `inventory not stored: ${remote.collected.warnings.join('; ')}`;
      await this.recordFailure(hostId, 'PW_INPUT_UNREADABLE', message, actor);
      return { ...base, stored: false, changes: null, open: null };
    }
    try {
      const inventory = this.controlPlane.parseUpload(hostId, remote.document);
      const facts = scannedFacts(host, remote.facts);
      const reply = await this.controlPlane.assessingTransaction(async (trx) => {
        const stored = await this.controlPlane.storeInventory(trx, hostId, inventory, inventoryDigest(remote.document), { facts, actor });
        await this.store(trx).recordScan(hostId, { ok: true, warnings });
        const unknownFacts = remote.unreadableFacts.map((u) => u.fact);
        await this.audit(trx, { actor, action: 'host.agentless.scan', target: { kind: 'host', id: hostId }, details: { ok: true, packages: stored.packages, commands: base.commands, durationMs, ...stored.changes, ...(unknownFacts.length > 0 ? { unknownFacts } : {}) } });
        return stored;
      });
      return { ...base, stored: true, changes: reply.changes, open: reply.open };
    } catch (err) {
      throw await this.failed(hostId, err, actor);
    }
  }

  private async collect(host: HostRecord, target: AgentlessHost): Promise<RemoteInventory> {
    const runner = await SshRunner.connect({
      host: target.address,
      port: target.port,
      username: target.user,
      privateKey: this.options.clientKey.privateKey,
      hostKeySha256: target.hostKeySha256,
      clock: this.clock,
      ...(this.options.timeouts ? { timeouts: this.options.timeouts } : {}),
    });
    try {
      return await collectRemoteInventory(runner, { hostName: host.name });
    } finally {
      await runner.close();
    }
  }

  /** Records a failed scan (PatchwiseErrors only: anything else is a bug and goes to the log as is). */
  private async failed(hostId: string, err: unknown, actor: AuditActor): Promise<unknown> {
    if (isPatchwiseError(err)) await this.recordFailure(hostId, err.code, err.message, actor);
    return err;
  }

  private async recordFailure(hostId: string, code: PatchwiseError['code'], message: string, actor: AuditActor): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.store(trx).recordScan(hostId, { ok: false, code, message });
      await this.audit(trx, { actor, action: 'host.agentless.scan', target: { kind: 'host', id: hostId }, details: { ok: false, code, message } });
    });
  }

  private store(db: Kysely<Database>): AgentlessHostStore {
    return new AgentlessHostStore(tablesOf(db), this.clock);
  }

  private async audit(trx: Kysely<Database>, event: AuditEventInput): Promise<void> {
    await new AuditStore(tablesOf(trx), this.clock).append(event);
  }
}

/**
 * The facts read over SSH, as the check-in of an agent would carry them; the host keeps its
 * registered name, and `agentVersion` says how it reports.
 */
function scannedFacts(host: HostRecord, facts: HostFacts): AgentFacts {
  const wire = toWireFacts(facts, host.name, 'agentless');
  return { ...wire, os: wire.os ? { ...wire.os } : null, ips: wire.ips ? [...wire.ips] : null };
}
