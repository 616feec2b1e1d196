import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Each host keeps the kernels it had installed beside the running one at its last inventory, so
 * a kernel finding whose fix is installed but not booted can say so (`fixAwaitingReboot`). One
 * nullable column: nothing is rewritten, and hosts fill it at their next upload.
 */
export const idleKernels: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table hosts_hosts add column idle_kernels jsonb`.execute(db);
  },
};
