import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Agentless hosts: how the server reaches a host over SSH (address, port, user) and the host key
 * fingerprint pinned for it, beside the host's ordinary `hosts_hosts` row. One registration per
 * address and port, so one machine does not become two hosts.
 */
export const agentless: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const ddl = [
      `create table hosts_agentless (
        host_id uuid primary key references hosts_hosts (id) on delete cascade,
        address text not null,
        port integer not null check (port between 1 and 65535),
        username text not null,
        host_key_sha256 text not null,
        created_at timestamptz not null,
        last_scan_at timestamptz,
        last_scan_error text,
        last_scan_code text,
        unique (address, port)
      )`,
    ];
    for (const statement of ddl) await sql.raw(statement).execute(db);
  },
};
