import type { Kysely, Selectable } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import type { SshTarget } from './ssh-target.js';
import type { HostsTables } from './tables.js';

/** A host reached over SSH: its target, and how its last scan went. */
export interface AgentlessHost extends SshTarget {
  readonly hostId: string;
  readonly createdAt: Date;
  readonly lastScanAt: Date | null;
  /** Null after a successful scan, and before the first. */
  readonly lastScanError: string | null;
  /** The error code of the failed last scan (`PW_HOST_KEY_MISMATCH`, `PW_HOST_UNREACHABLE`, …). */
  readonly lastScanCode: string | null;
  /** What the last scan succeeded without (facts reported as unknown, and why); empty when it read everything or failed. */
  readonly lastScanWarnings: readonly string[];
}

/** How a scan ended, as stored beside the target: a success may carry warnings (what it could not read). */
export type AgentlessScanOutcome = { readonly ok: true; readonly warnings?: readonly string[] } | { readonly ok: false; readonly code: string; readonly message: string };

/** Stored warnings: at most this many, each cut to MAX_MESSAGE characters (a broken host must not fill the row). */
const MAX_WARNINGS = 50;
const MAX_MESSAGE = 2000;

type Row = Selectable<HostsTables['hosts_agentless']>;

/**
 * The SSH side of agentless hosts (`hosts_agentless`): one row per host, beside its `hosts_hosts`
 * row, which holds everything else (name, attributes, facts, inventory) as for any host.
 */
export class AgentlessHostStore {
  constructor(
    private readonly db: Kysely<HostsTables>,
    private readonly clock: () => Date,
  ) {}

  /** Throws PW_CONFLICT when the address and port are registered already (one machine, one host). */
  async register(hostId: string, target: SshTarget): Promise<AgentlessHost> {
    try {
      const row = await this.db
        .insertInto('hosts_agentless')
        .values({
          host_id: hostId,
          address: target.address,
          port: target.port,
          username: target.user,
          host_key_sha256: target.hostKeySha256,
          created_at: this.clock(),
          last_scan_at: null,
          last_scan_error: null,
          last_scan_code: null,
          last_scan_warnings: [],
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAgentless(row);
    } catch (err) {
      if ((err as { code?: unknown }).code === '23505') {
        throw new PatchwiseError('PW_CONFLICT', `${target.address} port ${target.port} is registered already; remove that registration first`, { cause: err });
      }
      throw err;
    }
  }

  async get(hostId: string): Promise<AgentlessHost | undefined> {
    const row = await this.db.selectFrom('hosts_agentless').selectAll().where('host_id', '=', hostId).executeTakeFirst();
    return row && toAgentless(row);
  }

  async require(hostId: string): Promise<AgentlessHost> {
    const found = await this.get(hostId);
    if (!found) throw new PatchwiseError('PW_NOT_FOUND', `no agentless host ${hostId}`);
    return found;
  }

  /** Every registration, oldest first. */
  async list(): Promise<AgentlessHost[]> {
    const rows = await this.db.selectFrom('hosts_agentless').selectAll().orderBy('created_at').orderBy('host_id').execute();
    return rows.map(toAgentless);
  }

  /** Forgets how to reach the host; the host itself and its history stay (hosts are never deleted). */
  async remove(hostId: string): Promise<AgentlessHost> {
    const row = await this.db.deleteFrom('hosts_agentless').where('host_id', '=', hostId).returningAll().executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no agentless host ${hostId}`);
    return toAgentless(row);
  }

  async recordScan(hostId: string, outcome: AgentlessScanOutcome): Promise<void> {
    await this.db
      .updateTable('hosts_agentless')
      .set({
        last_scan_at: this.clock(),
        last_scan_error: outcome.ok ? null : outcome.message.slice(0, MAX_MESSAGE),
        last_scan_code: outcome.ok ? null : outcome.code,
        last_scan_warnings: outcome.ok ? (outcome.warnings ?? []).slice(0, MAX_WARNINGS).map((w) => w.slice(0, MAX_MESSAGE)) : [],
      })
      .where('host_id', '=', hostId)
      .execute();
  }
}

function toAgentless(row: Row): AgentlessHost {
  return {
    hostId: row.host_id,
    address: row.address,
    port: row.port,
    user: row.username,
    hostKeySha256: row.host_key_sha256,
    createdAt: row.created_at,
    lastScanAt: row.last_scan_at,
    lastScanError: row.last_scan_error,
    lastScanCode: row.last_scan_code,
    lastScanWarnings: row.last_scan_warnings,
  };
}
