import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Jobs gain the `rebooting` state: the change is in and verified, and the host was asked to
 * reboot; the job stays in flight (it counts against concurrency and its cluster's limit) until
 * the host is back. The in-flight index covers it too.
 */
export const rebootingJobs: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `alter table rollout_jobs drop constraint rollout_jobs_state_check`,
      `alter table rollout_jobs add constraint rollout_jobs_state_check check (state in ('pending', 'dispatched', 'running', 'rebooting', 'succeeded', 'failed', 'rolled-back', 'skipped', 'cancelled'))`,
      `drop index rollout_jobs_in_flight`,
      `create index rollout_jobs_in_flight on rollout_jobs (host_id) where state in ('dispatched', 'running', 'rebooting')`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
