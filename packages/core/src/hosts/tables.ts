import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

/** A kernel installed but not running, named as advisories name it (matching's IdleKernel). */
export interface IdleKernelRow {
  readonly ecosystem: string;
  readonly package: string;
  readonly version: string;
}

/** Tables written only by the hosts module. */
export interface HostsTables {
  hosts_snapshots: {
    id: string;
    /** A whole snapshot's packages; a based one's own packages, those its base lacks (migration 0020). */
    packages: Json<unknown[]>;
    /** The whole snapshot this one is stored against, or null when it is whole. */
    base_id: ColumnType<string | null, string | null | undefined, string | null>;
    /** Positions in the base's packages that this snapshot does not have. */
    removed: ColumnType<number[], number[] | undefined, number[]>;
    /** Names of the base this snapshot has no package matched under. */
    removed_names: ColumnType<string[], string[] | undefined, string[]>;
    package_count: number;
    created_at: Timestamp;
    /** When it was last stored or pointed at (migration 0021): HostStore.pruneSnapshots goes by it. */
    used_at: ColumnType<Date, Date | undefined, Date>;
    /** Distinct names `packages` are matched under (matchTarget), for finding hosts by name. */
    names: ColumnType<string[], string[] | undefined, string[]>;
  };
  hosts_hosts: {
    id: string;
    name: string;
    machine_id: string | null;
    os_id: string | null;
    os_version_id: string | null;
    ecosystem: string | null;
    facts: Json<Record<string, unknown>>;
    tier: number | null;
    owner: string | null;
    environment: string | null;
    internet_facing: boolean | null;
    cluster: string | null;
    timezone: string | null;
    tags: ColumnType<string[], string[], string[]>;
    /** `retired` since migration 0024. */
    status: 'active' | 'quarantined' | 'retired';
    quarantine_reason: string | null;
    /** When and why the host was retired (migration 0024); null while it is in the fleet. */
    retired_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
    retired_reason: ColumnType<string | null, string | null | undefined, string | null>;
    enrolled_at: Timestamp;
    last_seen_at: Timestamp | null;
    inventory_digest: string | null;
    snapshot_id: string | null;
    inventory_at: Timestamp | null;
    /** Kernels installed beside the running one, as of the last inventory (migration 0025); null when none. */
    idle_kernels: ColumnType<IdleKernelRow[] | null, string | null | undefined, string | null>;
    /** Attribute keys a person set, which the agent's configuration does not override (migration 0026). */
    person_attributes: ColumnType<string[], string[] | undefined, string[]>;
  };
  /** Hosts reached over SSH instead of running an agent (migration 0014). */
  hosts_agentless: {
    host_id: string;
    address: string;
    port: number;
    username: string;
    host_key_sha256: string;
    created_at: Timestamp;
    last_scan_at: Timestamp | null;
    /** Null after a successful scan (or before the first); else why the last one failed. */
    last_scan_error: string | null;
    last_scan_code: string | null;
    /** What the last successful scan could not read and worked around (migration 0029); empty after a failed one. */
    last_scan_warnings: ColumnType<string[], string[] | undefined, string[]>;
  };
}
