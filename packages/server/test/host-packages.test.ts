import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostStore, type DatabaseHandle } from '@patchwise/core';
import { tablesOf, type Database } from '../src/database.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;

describe.each(kinds)('HostStore.packagesOfHosts on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  const ssl = { ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.11-1~deb12u2', sourceName: 'openssl' };
  const curl = { ecosystem: 'Debian:12', name: 'curl', version: '7.88.1-10' };
  const bash = { ecosystem: 'Debian:12', name: 'bash', version: '5.2.15-2' };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    // Two hosts share one snapshot; the third has none yet.
    await sql`insert into hosts_snapshots (id, packages, package_count, created_at, names) values ('s1', ${JSON.stringify([ssl, curl, bash])}::json, 3, now(), '{}')`.execute(db.db);
    for (const [id, snapshot] of [[a, 's1'], [b, 's1'], [c, null]] as const) {
      await sql`insert into hosts_hosts (id, name, enrolled_at, snapshot_id, inventory_at) values (${id}, ${`h-${id.slice(0, 4)}`}, now(), ${snapshot}, now())`.execute(db.db);
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  it('reads every host of the list at once; hosts with one inventory share its array', async () => {
    const got = await new HostStore(tablesOf(db.db), () => new Date()).packagesOfHosts([a, b, c]);
    expect(got.get(a)).toEqual([ssl, curl, bash]);
    expect(got.get(b)).toBe(got.get(a));
    expect(got.get(c)).toEqual([]);
  });
});
