import { randomUUID } from 'node:crypto';
import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostStore, SNAPSHOT_GRACE_MS, SnapshotBases, type InstalledPackage } from '@patchwise/core';
import { Assessor } from '../src/assessor.js';
import { ControlPlane } from '../src/control-plane.js';
import { tablesOf } from '../src/database.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const DAY = 86_400_000;
const matchName = (p: InstalledPackage) => p.name;
const image = (tag: string) => Array.from({ length: 100 }, (_, i): InstalledPackage => ({ ecosystem: 'Debian:12', name: `${tag}${i}`, version: `1.${i}-1` }));
const sorted = (ps: readonly InstalledPackage[]) => ps.map((p) => JSON.stringify(p)).sort();

/** A database with hosts and a clock the test moves; every store shares one set of bases, as a server does. */
async function fixture(kind: (typeof kinds)[number]) {
  const db = await openTestDatabase(kind);
  let now = new Date('2026-01-01T00:00:00Z');
  const clock = () => now;
  const bases = new SnapshotBases();
  const store = new HostStore(tablesOf(db.db), clock, bases);
  return {
    db,
    bases,
    clock,
    store,
    later: (ms: number) => void (now = new Date(now.getTime() + ms)),
    host: async () => {
      const id = randomUUID();
      await sql`insert into hosts_hosts (id, name, enrolled_at) values (${id}, ${`h-${id.slice(0, 8)}`}, now())`.execute(db.db);
      return id;
    },
    save: (host: string, packages: readonly InstalledPackage[]) => store.saveInventory(host, randomUUID(), packages, matchName),
    stored: async (ids: readonly string[]) =>
      new Set((await sql<{ id: string }>`select id from hosts_snapshots where id = any(${[...ids]}::text[])`.execute(db.db)).rows.map((r) => r.id)),
    baseOf: async (id: string) => (await sql<{ base_id: string | null }>`select base_id from hosts_snapshots where id = ${id}`.execute(db.db)).rows[0]?.base_id,
  };
}

describe.each(kinds)('pruning past inventory snapshots on %s', (kind) => {
  let f: Awaited<ReturnType<typeof fixture>>;
  beforeAll(async () => {
    f = await fixture(kind);
  });
  afterAll(async () => {
    await f?.db.close();
  });

  it('deletes snapshots no host holds once the grace period passed, a base after the snapshots based on it, and keeps what hosts read', async () => {
    const [a, b, c] = [await f.host(), await f.host(), await f.host()];
    const x = image('x');
    const idX = await f.save(a, x);
    const idY = await f.save(b, [...x.slice(1), { ecosystem: 'Debian:12', name: 'only-y', version: '1' }]);
    expect(await f.baseOf(idY)).toBe(idX);
    const idW = await f.save(b, image('w')); // b leaves Y
    const idV = await f.save(a, image('v')); // a leaves X: X is now only Y's base
    const u = image('u');
    const idU = await f.save(c, u);
    const idU2 = await f.save(c, u.slice(2)); // c's snapshot is based on U, which no host points at
    expect(await f.baseOf(idU2)).toBe(idU);
    const all = [idX, idY, idW, idV, idU, idU2];

    // Within the grace period nothing goes, held or not.
    f.later(SNAPSHOT_GRACE_MS - DAY);
    expect(await f.store.pruneSnapshots(1000)).toBe(0);
    expect((await f.stored(all)).size).toBe(6);

    f.later(2 * DAY);
    expect(await f.store.pruneSnapshots(1000)).toBe(1); // Y; X is still its base
    expect(await f.stored(all)).toEqual(new Set([idX, idW, idV, idU, idU2]));
    expect(await f.store.pruneSnapshots(1000)).toBe(1); // then X
    expect(await f.stored(all)).toEqual(new Set([idW, idV, idU, idU2]));
    expect(await f.store.pruneSnapshots(1000)).toBe(0);

    // What the hosts hold reads back whole, from the database and from this process's memory.
    const fresh = new HostStore(tablesOf(f.db.db), f.clock);
    for (const store of [f.store, fresh]) {
      expect(sorted(await store.packagesOf(a))).toEqual(sorted(image('v')));
      expect(sorted(await store.packagesOf(b))).toEqual(sorted(image('w')));
      expect(sorted(await store.packagesOf(c))).toEqual(sorted(u.slice(2)));
    }
  });

  it('keeps a past snapshot a host goes back to, and stores one again that went', async () => {
    const d = await f.host();
    const t = image('t');
    const idT = await f.save(d, t);
    const idT2 = await f.save(d, image('k'));
    f.later(SNAPSHOT_GRACE_MS + DAY);
    expect(await f.save(d, t)).toBe(idT); // back to T: its mark of use is renewed
    expect(await f.store.pruneSnapshots(1000)).toBeGreaterThanOrEqual(1);
    expect(await f.stored([idT, idT2])).toEqual(new Set([idT]));
    // T2 went; a host that goes back to it stores it again under the same id.
    expect(await f.save(d, image('k'))).toBe(idT2);
    expect(sorted(await new HostStore(tablesOf(f.db.db), f.clock).packagesOf(d))).toEqual(sorted(image('k')));
  });

  it('does not point a new snapshot at a base that was deleted since this process remembered it', async () => {
    const [g, h] = [await f.host(), await f.host()];
    const base = image('b');
    const idB = await f.save(g, base);
    await f.save(g, image('elsewhere'));
    f.later(SNAPSHOT_GRACE_MS + DAY);
    // Another process deletes it: this process's bases still remember it.
    expect(await new HostStore(tablesOf(f.db.db), f.clock).pruneSnapshots(1000)).toBeGreaterThanOrEqual(1);
    expect(await f.stored([idB])).toEqual(new Set());
    const idB2 = await f.save(h, base.slice(1));
    expect(await f.baseOf(idB2)).toBeNull(); // stored whole
    expect(sorted(await new HostStore(tablesOf(f.db.db), f.clock).packagesOf(h))).toEqual(sorted(base.slice(1)));
  });
});

describe('ControlPlane.pruneSnapshots', () => {
  it('deletes slice after slice until none is left to delete', async () => {
    const f = await fixture('pglite');
    try {
      await sql`insert into hosts_snapshots (id, packages, package_count, created_at, used_at, names)
        select 'past-' || g, '[]', 0, ${f.clock()}, ${f.clock()}, '{}' from generate_series(1, 2345) g`.execute(f.db.db);
      f.later(SNAPSHOT_GRACE_MS + DAY);
      const plane = new ControlPlane(f.db.db, new Assessor(), f.clock, { checkinIntervalSeconds: 60 });
      expect(await plane.pruneSnapshots()).toBe(2345);
      expect(Number((await sql<{ n: string }>`select count(*) as n from hosts_snapshots`.execute(f.db.db)).rows[0]?.n)).toBe(0);
    } finally {
      await f.db.close();
    }
  });
});

describe.runIf(kinds.includes('postgres'))('pruning while an upload is in flight on postgres', () => {
  let f: Awaited<ReturnType<typeof fixture>>;
  beforeAll(async () => {
    f = await fixture('postgres');
  });
  afterAll(async () => {
    await f?.db.close();
  });

  it('never deletes a past snapshot that an upload has found stored and is about to point its host at', async () => {
    const e = await f.host();
    const r = image('r');
    const idR = await f.save(e, r);
    await f.save(e, image('p'));
    f.later(SNAPSHOT_GRACE_MS + DAY);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let paused!: () => void;
    const inFlight = new Promise<void>((resolve) => (paused = resolve));
    // The upload stops after its first statement, before it looks for R and points the host at
    // it (the host's foreign key locks R only then): the window the pruner must not use.
    const upload = f.db.db.transaction().execute(async (trx) => {
      await new HostStore(tablesOf(trx.withPlugin(pauseAfterFirstQuery(paused, gate))), f.clock, f.bases).saveInventory(e, 'back-to-r', r, matchName);
    });
    await inFlight;
    try {
      // Skips the row the upload holds instead of waiting for it (a wait would never end here).
      await f.store.pruneSnapshots(1000);
      expect(await f.stored([idR])).toEqual(new Set([idR]));
    } finally {
      release(); // a failed check must not leave the upload's transaction open
    }
    await upload;
    expect(sorted(await new HostStore(tablesOf(f.db.db), f.clock).packagesOf(e))).toEqual(sorted(r));
    // Held by the host now: later runs leave it alone for good.
    f.later(SNAPSHOT_GRACE_MS + DAY);
    await f.store.pruneSnapshots(1000);
    expect(await f.stored([idR])).toEqual(new Set([idR]));
  });
});

/** A plugin that, after the first query it sees, says so and waits for `gate` before going on. */
function pauseAfterFirstQuery(reached: () => void, gate: Promise<void>): KyselyPlugin {
  let first = true;
  return {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      if (first) {
        first = false;
        reached();
        await gate;
      }
      return args.result;
    },
  };
}
