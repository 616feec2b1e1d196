import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The control plane's first tables: hosts and their inventory snapshots, access (API tokens,
 * enrollment tokens, agent keys, replay nonces), stored findings, and feeds. Each table is
 * prefixed by the module that writes it.
 */
export const controlPlane: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = `
      create table hosts_snapshots (
        id text primary key,
        packages jsonb not null,
        package_count integer not null,
        created_at timestamptz not null
      );
      create table hosts_snapshot_keys (
        snapshot_id text not null references hosts_snapshots (id) on delete cascade,
        ecosystem text not null,
        name text not null,
        primary key (snapshot_id, ecosystem, name)
      );
      create index hosts_snapshot_keys_name on hosts_snapshot_keys (name);
      create table hosts_hosts (
        id uuid primary key,
        name text not null,
        machine_id text,
        os_id text,
        os_version_id text,
        ecosystem text,
        facts jsonb not null default '{}',
        tier smallint check (tier between 0 and 3),
        owner text,
        environment text,
        internet_facing boolean,
        cluster text,
        timezone text,
        tags text[] not null default '{}',
        status text not null default 'active' check (status in ('active', 'quarantined')),
        quarantine_reason text,
        enrolled_at timestamptz not null,
        last_seen_at timestamptz,
        inventory_digest text,
        snapshot_id text references hosts_snapshots (id),
        inventory_at timestamptz
      );
      create index hosts_hosts_name on hosts_hosts (lower(name));
      create index hosts_hosts_machine_id on hosts_hosts (machine_id);
      create index hosts_hosts_snapshot on hosts_hosts (snapshot_id);

      create table access_tokens (
        id uuid primary key,
        name text not null,
        token_hash text not null unique,
        role text not null,
        created_at timestamptz not null,
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz
      );
      create table access_enroll_tokens (
        id uuid primary key,
        secret_hash text not null unique,
        created_at timestamptz not null,
        expires_at timestamptz,
        max_uses integer check (max_uses > 0),
        uses integer not null default 0,
        attributes jsonb not null default '{}',
        revoked_at timestamptz
      );
      create table access_agents (
        host_id uuid primary key references hosts_hosts (id) on delete cascade,
        public_key text not null unique,
        enroll_token_id uuid references access_enroll_tokens (id),
        created_at timestamptz not null
      );
      create table access_nonces (
        host_id uuid not null,
        nonce text not null,
        expires_at timestamptz not null,
        primary key (host_id, nonce)
      );
      create index access_nonces_expiry on access_nonces (expires_at);

      create table findings_findings (
        id bigint generated always as identity primary key,
        host_id uuid not null references hosts_hosts (id) on delete cascade,
        advisory_id text not null,
        ecosystem text not null,
        package text not null,
        installed text not null,
        fixed text,
        type text not null,
        severity text,
        cvss real,
        kev boolean not null,
        epss real,
        priority text not null,
        reasons jsonb not null,
        aliases jsonb not null,
        summary text not null,
        state text not null check (state in ('open', 'fixed')),
        first_seen timestamptz not null,
        fixed_at timestamptz,
        updated_at timestamptz not null,
        unique (host_id, advisory_id, ecosystem, package)
      );
      create index findings_findings_open on findings_findings (priority, host_id) where state = 'open';

      create table feeds_advisories (
        id text primary key,
        modified timestamptz,
        source text not null,
        digest text not null,
        record jsonb not null,
        imported_at timestamptz not null
      );
      create table feeds_documents (
        kind text primary key,
        content text not null,
        digest text not null,
        record_count integer not null,
        imported_at timestamptz not null
      );
      create table feeds_sources (
        name text primary key,
        kind text not null,
        url text not null,
        sha256_url text,
        interval_seconds integer not null,
        etag text,
        last_modified text,
        last_attempt_at timestamptz,
        last_success_at timestamptz,
        last_error text,
        record_count integer
      );
    `;
    // One statement per query: PGlite's extended protocol refuses several in one.
    for (const statement of ddl.split(/;\s*\n/)) if (statement.trim()) await sql.raw(statement).execute(db);
  },
};
