import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Approvers' own Ed25519 public keys (the private halves stay with their CLI), and the
 * signatures they made over change requests, which job manifests carry to agents that pinned
 * those keys (docs/job-manifests.md, "Approver signatures").
 */
export const approverKeys: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `create table access_signing_keys (
        key_id text primary key,
        user_id uuid not null references access_users (id),
        public_key text not null unique,
        name text not null,
        created_at timestamptz not null,
        revoked_at timestamptz
      )`,
      `create index access_signing_keys_user on access_signing_keys (user_id)`,
      `create table approvals_signatures (
        change_id uuid not null references approvals_changes (id),
        key_id text not null,
        signed_by text not null,
        signed_by_name text,
        statement jsonb not null,
        signature text not null,
        created_at timestamptz not null,
        primary key (change_id, key_id)
      )`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
