import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The public keys the server signs with (job manifests, audit checkpoints), recorded on first
 * start. The private keys stay in the data directory; the record lets every later start (and every
 * other server process on one PostgreSQL) check it holds the same keys, rather than make new ones
 * that agents would refuse and that could not vouch for the trail.
 */
export const serverKeys: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`create table server_keys (kind text primary key, public_key text not null, recorded_at timestamptz not null)`.execute(db);
  },
};
