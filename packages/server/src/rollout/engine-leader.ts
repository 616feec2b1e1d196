import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.js';

/** Session-level advisory lock of the engine leader: one per schema, so tenants (and test schemas) lead apart. */
const LEADER_LOCK = 0x70770002;

/**
 * Leader election among server processes sharing one PostgreSQL: the leader holds a session-level
 * advisory lock on a connection it keeps for that purpose. If the process dies, PostgreSQL drops
 * the session and the lock with it, so another process takes over on its next try; a leader that
 * loses its connection finds out on the next check and stops leading. (Each deployment also
 * advances under its own transaction lock, so even two leaders could not step on each other.)
 */
export class EngineLeader {
  private session: { conn: Kysely<Database>; release: () => void; done: Promise<void> } | undefined;

  constructor(private readonly db: Kysely<Database>) {}

  /** True while this process holds the lock; tries to take it when free. */
  async isLeader(): Promise<boolean> {
    if (this.session) {
      try {
        await sql`select 1`.execute(this.session.conn);
        return true;
      } catch {
        this.session.release();
        this.session = undefined;
      }
    }
    return this.tryAcquire();
  }

  /** Gives the lock up (at shutdown), so another process can lead at once. */
  async resign(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (!s) return;
    s.release();
    await s.done;
  }

  private async tryAcquire(): Promise<boolean> {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let settle!: (conn: Kysely<Database> | null) => void;
    const acquired = new Promise<Kysely<Database> | null>((r) => (settle = r));
    const done = this.db.connection().execute(async (conn) => {
      const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_lock(${LEADER_LOCK}, hashtext(current_schema())) as got`.execute(conn);
      if (!rows[0]?.got) return settle(null);
      settle(conn);
      await held; // the connection, and the lock with it, stay ours until resign()
      await sql`select pg_advisory_unlock(${LEADER_LOCK}, hashtext(current_schema()))`.execute(conn).catch(() => undefined);
    });
    const conn = await Promise.race([acquired, done.then(() => null)]);
    if (conn === null) return false;
    this.session = { conn, release, done: done.catch(() => undefined) };
    return true;
  }
}
