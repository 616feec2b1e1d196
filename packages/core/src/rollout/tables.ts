import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

/** Tables written only by the rollout module. */
export interface RolloutTables {
  rollout_deployments: {
    id: Generated<number>;
    name: string;
    patch_set: number;
    environment: string;
    change_id: string | null;
    selection: Json<{ groups: string[]; hosts: string[] }>;
    strategy: Json<Record<string, unknown>>;
    windows: Json<string[]>;
    hooks: Json<unknown>;
    state: string;
    state_reason: string | null;
    current_wave: number;
    wave_count: number;
    soak_until: Timestamp | null;
    created_at: Timestamp;
    created_by: string;
    created_by_name: string | null;
    started_at: Timestamp | null;
    finished_at: Timestamp | null;
  };
  rollout_jobs: {
    id: string;
    deployment_id: number;
    host_id: string;
    host_name: string;
    cluster: string | null;
    action: string;
    wave: number;
    state: string;
    state_reason: string | null;
    idempotency_key: string;
    manager: string | null;
    targets: Json<{ name: string; version: string | null }[]>;
    previous: Json<{ name: string; version: string | null }[]> | null;
    manifest: Json<unknown> | null;
    expires_at: Timestamp | null;
    dispatched_at: Timestamp | null;
    fetched_at: Timestamp | null;
    finished_at: Timestamp | null;
    report: Json<unknown> | null;
  };
  rollout_rings: {
    position: number;
    environment: string;
    soak_minutes: number;
  };
  rollout_scripts: {
    name: string;
    body: string;
    sha256: string;
    created_at: Timestamp;
    created_by: string;
    approved_by: string | null;
    approved_at: Timestamp | null;
  };
}
