import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostStore, SnapshotBases, type DatabaseHandle, type InstalledPackage } from '@patchwise/core';
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

describe.each(kinds)('HostStore snapshots stored against a base on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  const bases = new SnapshotBases();
  const matchName = (p: InstalledPackage) => p.sourceName ?? p.name;
  const image = (tag: string) => Array.from({ length: 100 }, (_, i): InstalledPackage => ({ ecosystem: 'Debian:12', name: `${tag}${i}`, version: `1.${i}-1`, ...(i % 10 === 0 ? { sourceName: `${tag}src${i}` } : {}) }));
  const sorted = (ps: readonly InstalledPackage[]) => ps.map((p) => JSON.stringify(p)).sort();
  const newHost = async () => {
    const id = randomUUID();
    await sql`insert into hosts_hosts (id, name, enrolled_at) values (${id}, ${`h-${id.slice(0, 8)}`}, now())`.execute(db.db);
    return id;
  };
  const row = async (hostId: string) =>
    (await sql<{ id: string; base_id: string | null; removed: number[]; removed_names: string[]; own: number; names: string[] }>`
      select s.id, s.base_id, s.removed, s.removed_names, json_array_length(s.packages) as own, s.names
      from hosts_hosts h join hosts_snapshots s on s.id = h.snapshot_id where h.id = ${hostId}`.execute(db.db)).rows[0];

  /** Stores an inventory in a transaction that rolls back: the process remembers a base that was never committed. */
  const saveRolledBack = async (hostId: string, digest: string, packages: readonly InstalledPackage[]) =>
    db.db
      .transaction()
      .execute(async (trx) => {
        await new HostStore(tablesOf(trx), () => new Date(), bases).saveInventory(hostId, digest, packages, matchName);
        throw new Error('rolled back');
      })
      .catch(() => undefined);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stores a clone as its difference from a stored snapshot, and reads it back whole, also in a process that never saw the base', async () => {
    const store = new HostStore(tablesOf(db.db), () => new Date(), bases);
    const [a, b, e] = [await newHost(), await newHost(), await newHost()];
    const packagesA = image('pa');
    await store.saveInventory(a, 'da', packagesA, matchName);
    expect(await row(a)).toMatchObject({ base_id: null, removed: [], own: 100 });
    // B: two packages gone, one at another version, one new, and A's order reversed.
    const packagesB = [...packagesA.slice(2).map((p, i) => (i === 5 ? { ...p, version: '9.9-1' } : p)), { ecosystem: 'Debian:12', name: 'only-on-b', version: '1' }].reverse();
    const idB = await store.saveInventory(b, 'db', packagesB, matchName);
    const rowB = await row(b);
    expect(rowB).toMatchObject({ base_id: (await row(a))?.id, own: 2, names: ['only-on-b', 'pa7'], removed_names: ['pa1', 'pasrc0'] });
    expect([...(rowB?.removed ?? [])].sort((x, y) => x - y)).toEqual([0, 1, 7]);
    expect(sorted(await store.packagesOf(b))).toEqual(sorted(packagesB));
    const fresh = new HostStore(tablesOf(db.db), () => new Date());
    expect(sorted(await fresh.packagesOf(b))).toEqual(sorted(packagesB));
    expect(sorted((await fresh.packagesOfHosts([a, b])).get(a) ?? [])).toEqual(sorted(packagesA));
    // A clone of B in another order shares B's snapshot.
    expect(await store.saveInventory(e, 'de', [...packagesB].reverse(), matchName)).toBe(idB);
    expect(Number((await sql<{ n: string }>`select count(*) as n from hosts_snapshots`.execute(db.db)).rows[0]?.n)).toBe(2);
    // Found by a name of its own and by its base's (matched under the source name where there is
    // one), never by a name of the base it lost: pa0 and pa1 are gone, pa7 only changed version.
    expect((await store.hostsWithNames(['only-on-b'])).sort()).toEqual([b, e].sort());
    expect((await store.hostsWithNames(['pasrc20'])).sort()).toEqual([a, b, e].sort());
    expect((await store.hostsWithNames(['pasrc0'])).sort()).toEqual([a]);
    expect((await store.hostsWithNames(['pa1'])).sort()).toEqual([a]);
    expect((await store.hostsWithNames(['pa1', 'pa7'])).sort()).toEqual([a, b, e].sort());
    expect((await store.hostsWithNames(['pa1', 'pasrc0', 'nothing'])).sort()).toEqual([a]);
  });

  it('stores the differences of a batch in one go: clones share one, each reads back whole, one without a stored base is stored whole', async () => {
    const store = new HostStore(tablesOf(db.db), () => new Date(), bases);
    const base = image('pf');
    await store.saveInventory(await newHost(), 'df', base, matchName);
    const lost = image('pg');
    await saveRolledBack(await newHost(), 'dg', lost);
    // Names a JSON or array literal would have to escape, on the packages a difference carries.
    const odd: InstalledPackage = { ecosystem: 'Debian:12', name: 'odd,"name"\\{x}', version: '1:2.0-1' };
    const inventories = [
      [...base.slice(1), odd],
      [...base.slice(1), odd].reverse(),
      base.map((p, i) => (i === 3 ? { ...p, version: '2.0-1' } : p)),
      [...lost.slice(2), odd],
    ];
    const hosts = [await newHost(), await newHost(), await newHost(), await newHost()];
    const ids = await store.saveInventories(hosts.map((id, i) => ({ id, digest: `d${i}`, packages: inventories[i] as InstalledPackage[], matchName })));
    expect(ids[0]).toBe(ids[1]);
    const rows = await Promise.all(hosts.map(row));
    const baseId = (await sql<{ id: string }>`select snapshot_id as id from hosts_hosts where inventory_digest = 'df'`.execute(db.db)).rows[0]?.id;
    expect(rows[0]).toMatchObject({ base_id: baseId, own: 1, removed: [0], names: [odd.name], removed_names: ['pfsrc0'] });
    expect(rows[2]).toMatchObject({ base_id: baseId, own: 1, removed: [3] });
    expect(rows[3]).toMatchObject({ base_id: null, own: 99 });
    for (const [i, id] of hosts.entries()) expect(sorted(await new HostStore(tablesOf(db.db), () => new Date()).packagesOf(id))).toEqual(sorted(inventories[i] as InstalledPackage[]));
    expect((await store.hostsWithNames([odd.name])).sort()).toEqual([hosts[0], hosts[1], hosts[3]].sort());
  });

  it('stores whole what would point at a base that was never committed', async () => {
    const store = new HostStore(tablesOf(db.db), () => new Date(), bases);
    const [c, d] = [await newHost(), await newHost()];
    const packagesC = image('pc');
    await saveRolledBack(c, 'dc', packagesC);
    const packagesD = packagesC.slice(1);
    await store.saveInventory(d, 'dd', packagesD, matchName);
    expect(await row(d)).toMatchObject({ base_id: null, own: 99 });
    expect(sorted(await store.packagesOf(d))).toEqual(sorted(packagesD));
    // D is a base now: C's packages are stored against it.
    await store.saveInventory(c, 'dc', packagesC, matchName);
    expect(await row(c)).toMatchObject({ base_id: (await row(d))?.id, own: 1, removed: [] });
  });
});
