import { sql, type Kysely, type Migration } from 'kysely';

/**
 * People: local users (scrypt password hashes, lock-out counters), custom roles, role bindings
 * scoped to host groups and environments, and web sessions. API tokens now belong to a user and
 * may be narrowed to a list of permissions; tokens made before this migration belong to a user
 * named `admin` holding the admin role, which is what they could do before. Audit events
 * record the credential a person used beside the person.
 */
export const people: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `create table access_users (
        id uuid primary key,
        name text not null unique,
        password_hash text,
        password_changed_at timestamptz,
        disabled_at timestamptz,
        failed_logins integer not null default 0,
        locked_until timestamptz,
        created_at timestamptz not null
      )`,
      `create table access_roles (
        name text primary key,
        description text not null,
        permissions jsonb not null,
        created_at timestamptz not null
      )`,
      `create table access_role_bindings (
        id uuid primary key,
        user_id uuid not null references access_users(id) on delete cascade,
        role text not null,
        scope jsonb,
        created_at timestamptz not null
      )`,
      `create index access_role_bindings_user on access_role_bindings (user_id)`,
      `create table access_sessions (
        id uuid primary key,
        secret_hash text not null unique,
        user_id uuid not null references access_users(id) on delete cascade,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        idle_expires_at timestamptz not null,
        revoked_at timestamptz
      )`,
      `alter table access_tokens add column user_id uuid references access_users(id) on delete cascade`,
      `alter table access_tokens add column permissions jsonb`,
      `insert into access_users (id, name, created_at)
         select gen_random_uuid(), 'admin', now() where exists (select 1 from access_tokens)`,
      `insert into access_role_bindings (id, user_id, role, scope, created_at)
         select gen_random_uuid(), id, 'admin', null, now() from access_users where name = 'admin'`,
      `update access_tokens set user_id = (select id from access_users where name = 'admin')`,
      // Exceptions named their requester and decider by token; the two-person rule is per person.
      `update policy_exceptions e set requested_by = t.user_id::text from access_tokens t where e.requested_by = t.id::text`,
      `update policy_exceptions e set decided_by = t.user_id::text from access_tokens t where e.decided_by = t.id::text`,
      `alter table access_tokens alter column user_id set not null`,
      `alter table access_tokens drop column role`,
      // The credential (token or session) a person used, beside the person, in each event.
      `alter table audit_events add column actor_via text`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
