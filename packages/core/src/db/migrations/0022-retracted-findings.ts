import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Findings may be `retracted`: closed because the advisory stopped applying (withdrawn, or its
 * ranges revised) to the version still installed, as opposed to `fixed` by a change on the host.
 * Only the state's check widens; stored rows keep their states (past retractions were recorded
 * as fixed, and which were is not known any more). Checking the new constraint reads the table
 * once; nothing is rewritten.
 */
export const retractedFindings: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // The name PostgreSQL gave the inline check of migration 0009's create table.
    await sql`alter table findings_states drop constraint findings_states_state_check`.execute(db);
    await sql`alter table findings_states add constraint findings_states_state_check check (state in ('open', 'fixed', 'retracted'))`.execute(db);
  },
};
