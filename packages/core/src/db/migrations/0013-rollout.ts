import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The rollout engine's whole state: deployments, one job per (deployment, host, action), the
 * rings patch sets are promoted through, and the approved script library. Everything the engine
 * decides is a row here, so a killed server resumes from the table.
 */
export const rollout: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `create table rollout_deployments (
        id integer generated always as identity primary key,
        name text not null,
        patch_set integer not null,
        environment text not null,
        change_id text,
        selection jsonb not null,
        strategy jsonb not null,
        windows jsonb not null,
        hooks jsonb not null,
        state text not null check (state in ('created', 'running', 'paused', 'halted', 'completed', 'rolling-back', 'rolled-back', 'cancelled')),
        state_reason text,
        current_wave integer not null default 0,
        wave_count integer not null,
        soak_until timestamptz,
        created_at timestamptz not null,
        created_by text not null,
        created_by_name text,
        started_at timestamptz,
        finished_at timestamptz
      )`,
      `create index rollout_deployments_active on rollout_deployments (id) where state in ('running', 'rolling-back')`,
      `create table rollout_jobs (
        id text primary key,
        deployment_id integer not null references rollout_deployments (id),
        host_id text not null,
        host_name text not null,
        cluster text,
        action text not null check (action in ('install', 'rollback')),
        wave integer not null,
        state text not null check (state in ('pending', 'dispatched', 'running', 'succeeded', 'failed', 'rolled-back', 'skipped', 'cancelled')),
        state_reason text,
        idempotency_key text not null unique,
        manager text,
        targets jsonb not null,
        previous jsonb,
        manifest jsonb,
        expires_at timestamptz,
        dispatched_at timestamptz,
        fetched_at timestamptz,
        finished_at timestamptz,
        report jsonb,
        unique (deployment_id, host_id, action)
      )`,
      `create index rollout_jobs_deployment on rollout_jobs (deployment_id, wave)`,
      `create index rollout_jobs_in_flight on rollout_jobs (host_id) where state in ('dispatched', 'running')`,
      `create table rollout_rings (
        position integer primary key,
        environment text not null unique,
        soak_minutes integer not null
      )`,
      `create table rollout_scripts (
        name text primary key,
        body text not null,
        sha256 text not null,
        created_at timestamptz not null,
        created_by text not null,
        approved_by text,
        approved_at timestamptz
      )`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
