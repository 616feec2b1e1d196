import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The audit trail: append-only events chained by SHA-256 (seq is assigned under a lock, so a
 * gap means a deletion), and checkpoints signed with the server's Ed25519 key.
 */
export const audit: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `create table audit_events (
        seq bigint primary key,
        at timestamptz not null,
        actor_kind text not null,
        actor_id text not null,
        actor_name text,
        action text not null,
        target_kind text not null,
        target_id text not null,
        before_digest text,
        after_digest text,
        details jsonb not null,
        prev_hash text not null,
        hash text not null
      )`,
      'create index audit_events_at on audit_events (at)',
      `create table audit_checkpoints (
        seq bigint primary key,
        hash text not null,
        at timestamptz not null,
        public_key text not null,
        signature text not null
      )`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
