import { sql, type Kysely, type Migration } from 'kysely';

/** Approvals: policies per environment and change requests with their decisions. */
export const approvals: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `create table approvals_policies (
        environment text primary key,
        approvals integer not null check (approvals between 1 and 5),
        approver_roles jsonb not null,
        valid_for_hours integer not null,
        updated_at timestamptz not null
      )`,
      `create table approvals_changes (
        id uuid primary key,
        kind text not null check (kind in ('deployment', 'promotion')),
        lane text not null check (lane in ('scheduled', 'emergency')),
        environment text not null,
        group_name text,
        subject_kind text not null,
        subject_id text not null,
        title text not null,
        reason text not null,
        requested_by text not null,
        requested_by_name text,
        created_at timestamptz not null,
        state text not null check (state in ('requested', 'approved', 'rejected', 'cancelled')),
        approvals_needed integer not null,
        approver_roles jsonb not null,
        valid_for_hours integer not null,
        decisions jsonb not null,
        approved_at timestamptz
      )`,
      `create index approvals_changes_subject on approvals_changes (subject_kind, subject_id)`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
