import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import { parseOsSelector, type InstalledPackage } from '../inventory/index.js';
import { applyAttributePatch, type HostAttributePatch, type HostAttributeValues } from './host-attributes.js';
import { encodingOf, snapshotIdOf, type PackageEncoding } from './package-encoding.js';
import { SnapshotBases, composeSnapshot, type SnapshotDiff } from './snapshot-bases.js';
import type { HostsTables, IdleKernelRow } from './tables.js';

/**
 * `retired`: taken out of the fleet for good (its agent refused, left out of every list, count,
 * report, selection and reconciliation) but kept, with its findings, for history.
 */
export type HostStatus = 'active' | 'quarantined' | 'retired';

/** How long a snapshot no host points at is kept after its last use (HostStore.pruneSnapshots). */
export const SNAPSHOT_GRACE_MS = 7 * 86_400_000;
/** An upload renews a snapshot's mark of use when it is older than this: well inside the grace. */
const MARK_REFRESH_MS = 86_400_000;

/** A host as stored: identity, reported facts, attributes set by people, inventory state. */
export interface HostRecord {
  readonly id: string;
  readonly name: string;
  readonly machineId: string | null;
  readonly os: { readonly id: string; readonly versionId: string | null } | null;
  /** The OSV ecosystem of its distribution packages, when Patchwise knows the distribution. */
  readonly ecosystem: string | null;
  readonly facts: Readonly<Record<string, unknown>>;
  readonly attributes: HostAttributeValues;
  readonly status: HostStatus;
  readonly quarantineReason: string | null;
  /** When and why it was retired; null while it is in the fleet. */
  readonly retiredAt: Date | null;
  readonly retiredReason: string | null;
  readonly enrolledAt: Date;
  readonly lastSeenAt: Date | null;
  readonly inventoryDigest: string | null;
  readonly inventoryAt: Date | null;
  /**
   * Kernels installed beside the running one at the last inventory, the newest per package: a
   * kernel fix installed but not booted yet is here (matching's fixAwaitingBoot).
   */
  readonly idleKernels: readonly IdleKernelRow[];
  /** Attribute keys a person set: the agent's own configuration does not change them (setAttributes). */
  readonly personAttributes: readonly string[];
}

export interface NewHost {
  readonly name: string;
  readonly machineId: string | null;
  readonly os: HostRecord['os'];
  readonly ecosystem: string | null;
  readonly facts: Record<string, unknown>;
  readonly attributes: HostAttributeValues;
  readonly status?: HostStatus;
  readonly quarantineReason?: string | null;
  /** False for a host registered by a person that has not answered yet (agentless); default true (an agent enrolling is seen). */
  readonly seen?: boolean;
}

/** Filters of `hosts list`; every given filter must hold. */
export interface HostFilter {
  readonly os?: string | undefined;
  readonly tier?: number | undefined;
  readonly environment?: string | undefined;
  readonly tag?: string | undefined;
  /**
   * Only hosts with this status. Without one, retired hosts are left out: every list of the
   * fleet (hosts, groups, CMDB, scopes) means the hosts still in it.
   */
  readonly status?: HostStatus | undefined;
  /** Hosts whose name starts with this (case-insensitive; `%` and `_` are plain characters). */
  readonly namePrefix?: string | undefined;
  /** Hosts not seen since this instant (or never). */
  readonly notSeenSince?: Date | undefined;
  /** Hosts last seen at or after this instant (never-seen hosts excluded). */
  readonly seenSince?: Date | undefined;
  /** Hosts last seen before this instant (never-seen hosts excluded). */
  readonly seenBefore?: Date | undefined;
  /** Only hosts never seen (true) or only hosts seen at least once (false). */
  readonly neverSeen?: boolean | undefined;
  readonly name?: string | undefined;
  /** Only hosts marked internet-facing (true) or marked not (false); unmarked hosts match neither. */
  readonly internetFacing?: boolean | undefined;
  /** Only these hosts (a caller's scope, resolved by the caller). */
  readonly ids?: readonly string[] | undefined;
}

type HostRow = Selectable<HostsTables['hosts_hosts']>;
type SnapshotRow = Selectable<HostsTables['hosts_snapshots']>;

/** Hosts, their facts and attributes, and content-addressed inventory snapshots. */
/** One host's inventory as `saveInventories` takes it; `matchName` names a package as advisories do. */
export interface InventoryToSave {
  readonly id: string;
  readonly digest: string;
  readonly packages: readonly InstalledPackage[];
  readonly matchName: (p: InstalledPackage) => string;
  /** Kernels installed beside the running one; absent keeps what the row holds. */
  readonly idleKernels?: readonly IdleKernelRow[];
}

export class HostStore {
  constructor(
    private readonly db: Kysely<HostsTables>,
    private readonly clock: () => Date,
    /** Recent whole snapshots and parsed ones (long-lived, shared by a process's stores); none by default. */
    private readonly bases: SnapshotBases = new SnapshotBases(),
  ) {}

  async create(host: NewHost): Promise<HostRecord> {
    const now = this.clock();
    const row = await this.db
      .insertInto('hosts_hosts')
      .values({
        id: randomUUID(),
        ...identityColumns(host),
        ...attributeColumns(host.attributes),
        status: host.status ?? 'active',
        quarantine_reason: host.quarantineReason ?? null,
        enrolled_at: now,
        last_seen_at: host.seen === false ? null : now,
        inventory_digest: null,
        snapshot_id: null,
        inventory_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async get(id: string): Promise<HostRecord | undefined> {
    const row = await this.db.selectFrom('hosts_hosts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async require(id: string): Promise<HostRecord> {
    const host = await this.get(id);
    if (!host) throw new PatchwiseError('PW_NOT_FOUND', `no host ${id}`);
    return host;
  }

  /**
   * Locks the host's row until the transaction ends, so two changes to one host (an inventory
   * upload racing a feed re-assessment) apply one after the other, never interleaved.
   */
  async lock(id: string): Promise<HostRecord> {
    const row = await this.db.selectFrom('hosts_hosts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no host ${id}`);
    return toRecord(row);
  }

  /**
   * Locks several hosts' rows in one statement, in id order, so that two transactions locking
   * overlapping sets never wait on each other in a cycle. Hosts that do not exist are absent.
   */
  async lockMany(ids: readonly string[]): Promise<Map<string, HostRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('hosts_hosts').selectAll().where('id', 'in', [...ids]).orderBy('id').forUpdate().execute();
    return new Map(rows.map((r) => [r.id, toRecord(r)]));
  }

  /** Names of the given hosts, in one query (for lists that show host names beside ids). */
  /** Name and tier of each host, for labelling findings and judging them against the SLA. */
  async labelsOf(ids: readonly string[]): Promise<Map<string, { name: string; tier: number | null }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('hosts_hosts').select(['id', 'name', 'tier']).where('id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.id, { name: r.name, tier: r.tier }]));
  }

  /** The hosts with these ids, by id (unknown ids are absent). */
  async byIds(ids: readonly string[]): Promise<Map<string, HostRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('hosts_hosts').selectAll().where('id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.id, toRecord(r)]));
  }

  /** Ids of active hosts by tier (`null` for hosts without one). */
  async activeIdsByTier(): Promise<Map<number | null, string[]>> {
    const rows = await this.db.selectFrom('hosts_hosts').select(['id', 'tier']).where('status', '=', 'active').execute();
    const byTier = new Map<number | null, string[]>();
    for (const r of rows) {
      const list = byTier.get(r.tier);
      if (list) list.push(r.id);
      else byTier.set(r.tier, [r.id]);
    }
    return byTier;
  }

  /** Hosts claiming a machine id, in any status (more than one active means a clone or a re-install). */
  async withMachineId(machineId: string): Promise<HostRecord[]> {
    const rows = await this.db.selectFrom('hosts_hosts').selectAll().where('machine_id', '=', machineId).execute();
    return rows.map(toRecord);
  }

  async list(filter: HostFilter = {}): Promise<HostRecord[]> {
    const rows = await this.filtered(filter).selectAll().orderBy('name').orderBy('id').execute();
    return rows.map(toRecord);
  }

  /** The distinct ecosystems of active hosts and how many hosts each has (hosts of an unknown distribution left out). */
  async activeEcosystems(): Promise<{ ecosystem: string; hosts: number }[]> {
    const rows = await this.db
      .selectFrom('hosts_hosts')
      .select(['ecosystem', (eb) => eb.fn.countAll<string>().as('n')])
      .where('status', '=', 'active')
      .where('ecosystem', 'is not', null)
      .groupBy('ecosystem')
      .orderBy('ecosystem')
      .execute();
    return rows.flatMap((r) => (r.ecosystem === null ? [] : [{ ecosystem: r.ecosystem, hosts: Number(r.n) }]));
  }

  /** Ids of matching hosts (no rows loaded: a feed import may target the whole fleet). */
  async ids(filter: HostFilter = {}): Promise<string[]> {
    const rows = await this.filtered(filter).select('id').orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  /** One page of matching hosts, sorted by name, and how many match in all: paged in SQL. */
  async page(filter: HostFilter, page: { readonly limit: number; readonly offset: number }): Promise<{ total: number; hosts: HostRecord[] }> {
    const q = this.filtered(filter);
    const { total } = await q.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
    const rows = await q.selectAll().orderBy('name').orderBy('id').limit(page.limit).offset(page.offset).execute();
    return { total: Number(total), hosts: rows.map(toRecord) };
  }

  private filtered(filter: HostFilter) {
    let q = this.db.selectFrom('hosts_hosts');
    if (filter.os !== undefined) {
      // `debian` matches every Debian release, `debian-12` or `debian 12` one release; ids may
      // hold dashes (`opensuse-leap-15.5`). The same reading as group selectors (osSelected).
      const { id, version } = parseOsSelector(filter.os);
      q = q.where('os_id', '=', id);
      if (version) q = q.where((eb) => eb.or([eb('os_version_id', '=', version), eb('os_version_id', 'like', `${version}.%`)]));
    }
    if (filter.tier !== undefined) q = q.where('tier', '=', filter.tier);
    if (filter.environment !== undefined) q = q.where('environment', '=', filter.environment);
    if (filter.tag !== undefined) q = q.where(sql<boolean>`${filter.tag} = any(tags)`);
    q = filter.status !== undefined ? q.where('status', '=', filter.status) : q.where('status', '<>', 'retired');
    if (filter.namePrefix !== undefined) q = q.where(sql<boolean>`starts_with(lower(name), ${filter.namePrefix.toLowerCase()})`);
    if (filter.name !== undefined) q = q.where(sql<boolean>`lower(name) = ${filter.name.toLowerCase()}`);
    if (filter.notSeenSince !== undefined) {
      const since = filter.notSeenSince;
      q = q.where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', since)]));
    }
    if (filter.seenSince !== undefined) q = q.where('last_seen_at', '>=', filter.seenSince);
    if (filter.seenBefore !== undefined) q = q.where('last_seen_at', '<', filter.seenBefore);
    if (filter.neverSeen !== undefined) q = q.where('last_seen_at', filter.neverSeen ? 'is' : 'is not', null);
    if (filter.internetFacing !== undefined) q = q.where('internet_facing', '=', filter.internetFacing);
    if (filter.ids !== undefined) q = q.where(sql<boolean>`id = any(${[...filter.ids]}::uuid[])`);
    return q;
  }

  /**
   * Applies an attribute patch. Set `byPerson`, the keys it gives a value become held against the
   * agent's configuration, and the keys it clears are released (the agent may set them again).
   */
  async setAttributes(id: string, patch: HostAttributePatch, byPerson = false): Promise<HostRecord> {
    const current = await this.require(id);
    const next = applyAttributePatch(current.attributes, patch);
    const held = new Set(current.personAttributes);
    if (byPerson) {
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) held.delete(key);
        else held.add(key);
      }
    }
    const row = await this.db
      .updateTable('hosts_hosts')
      .set({ ...attributeColumns(next), ...(byPerson ? { person_attributes: [...held].sort() } : {}) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  /**
   * A check-in: the host was seen now, and reports these facts. A machine id or OS the agent
   * could not read this time (null) leaves the stored one: unknown is not "none", and a cleared
   * machine id would open a gap in clone detection.
   */
  async recordCheckin(id: string, update: Pick<NewHost, 'name' | 'machineId' | 'os' | 'ecosystem' | 'facts'>): Promise<void> {
    const { machine_id, os_id, os_version_id, ecosystem, ...rest } = checkinColumns(update, this.clock());
    await this.db
      .updateTable('hosts_hosts')
      .set({ ...rest, ...(machine_id === null ? {} : { machine_id }), ...(os_id === null ? {} : { os_id, os_version_id, ecosystem }) })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Check-ins of many hosts in one statement, for the common case: an active host whose machine
   * id agrees (or is unknown on either side) is seen now with these facts (a machine id or OS
   * unknown this time leaves the stored one, as `recordCheckin`). Answers in order: the
   * host's stored inventory digest, or undefined when it is missing, quarantined or presents
   * another machine id (nothing written for it; the caller's locking path says which). One
   * round trip and one commit for a batch of concurrent check-ins, instead of four statements
   * each (begin, lock, update, commit). The hosts must be distinct: an UPDATE … FROM applies
   * only one source row per target row.
   */
  async recordActiveCheckins(updates: readonly { id: string; update: Pick<NewHost, 'name' | 'machineId' | 'os' | 'ecosystem' | 'facts'> }[]): Promise<({ inventoryDigest: string | null } | undefined)[]> {
    if (updates.length === 0) return [];
    const cols = updates.map((u) => identityColumns(u.update));
    const rows = await sql<{ id: string; inventory_digest: string | null }>`
      update hosts_hosts as h set
        name = u.name, machine_id = coalesce(u.machine_id, h.machine_id),
        os_id = case when u.os_id is null then h.os_id else u.os_id end,
        os_version_id = case when u.os_id is null then h.os_version_id else u.os_version_id end,
        ecosystem = case when u.os_id is null then h.ecosystem else u.ecosystem end,
        facts = u.facts::jsonb, last_seen_at = ${this.clock()}
      from unnest(
        ${updates.map((u) => u.id)}::uuid[], ${cols.map((c) => c.name)}::text[], ${cols.map((c) => c.machine_id)}::text[],
        ${cols.map((c) => c.os_id)}::text[], ${cols.map((c) => c.os_version_id)}::text[], ${cols.map((c) => c.ecosystem)}::text[],
        ${cols.map((c) => c.facts)}::text[]
      ) as u(id, name, machine_id, os_id, os_version_id, ecosystem, facts)
      where h.id = u.id and h.status = 'active' and (u.machine_id is null or h.machine_id is null or h.machine_id = u.machine_id)
      returning h.id, h.inventory_digest`.execute(this.db);
    const byId = new Map(rows.rows.map((r) => [r.id, r.inventory_digest]));
    return updates.map((u) => (byId.has(u.id) ? { inventoryDigest: byId.get(u.id) ?? null } : undefined));
  }

  /** Active or quarantined (with the reason); retiring goes through `retire`, which keeps when. */
  async setStatus(id: string, status: Exclude<HostStatus, 'retired'>, reason: string | null): Promise<void> {
    const r = await this.db.updateTable('hosts_hosts').set({ status, quarantine_reason: reason }).where('id', '=', id).executeTakeFirst();
    if (r.numUpdatedRows === 0n) throw new PatchwiseError('PW_NOT_FOUND', `no host ${id}`);
  }

  /** Takes the host out of the fleet: retired now, for this reason (the caller checked it may be). */
  async retire(id: string, reason: string | null): Promise<HostRecord> {
    const row = await this.db
      .updateTable('hosts_hosts')
      .set({ status: 'retired', retired_at: this.clock(), retired_reason: reason })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no host ${id}`);
    return toRecord(row);
  }

  /**
   * Stores a host's packages as a content-addressed snapshot (identical hosts share one), whole
   * or as its difference from a recent whole one (`SnapshotBases`), and points the host at it.
   * `digest` is what the agent computed; the snapshot id is computed here from the normalised
   * packages, so no client can make two different sets collide. `matchName` gives the name a
   * package is matched under, for `hostsWithNames`; `idleKernels` are the kernels installed beside
   * the running one (an empty list when none or not known; left as stored when not given).
   */
  async saveInventory(id: string, digest: string, packages: readonly InstalledPackage[], matchName: (p: InstalledPackage) => string, idleKernels?: readonly IdleKernelRow[]): Promise<string> {
    return (await this.saveInventories([{ id, digest, packages, matchName, ...(idleKernels ? { idleKernels } : {}) }]))[0] as string;
  }

  /**
   * `saveInventory` for several hosts at once (uploads stored together): the snapshots marked
   * used in one statement, the new ones stored as differences in another, and the host rows
   * pointed at them in a third; a snapshot with no base to point at is stored whole, on its own.
   * Each host appears at most once. Returns the snapshot ids in order.
   */
  async saveInventories(inventories: readonly InventoryToSave[]): Promise<string[]> {
    if (inventories.length === 0) return [];
    const prepared = inventories.map((inv) => {
      const encodings = inv.packages.map(encodingOf);
      return { inv, encodings, names: inv.packages.map(inv.matchName), snapshotId: snapshotIdOf(encodings), diff: this.bases.diff(encodings) };
    });
    await this.markUsed([...new Set(prepared.flatMap((p) => (p.diff ? [p.snapshotId, p.diff.baseId] : [p.snapshotId])))]);
    // One per snapshot (clones in one batch share theirs), in snapshot id order: two transactions
    // storing the same new snapshots wait on each other's insert, never in a cycle.
    const distinct = [...new Map(prepared.map((p) => [p.snapshotId, p])).values()].sort((a, b) => (a.snapshotId < b.snapshotId ? -1 : a.snapshotId > b.snapshotId ? 1 : 0));
    const stored = await this.saveBased(distinct.flatMap((p) => (p.diff ? [{ snapshotId: p.snapshotId, diff: p.diff, packages: p.inv.packages, names: p.names }] : [])));
    for (const { inv, encodings, names, snapshotId } of distinct) {
      if (stored.has(snapshotId)) continue;
      const inserted = await this.db
        .insertInto('hosts_snapshots')
        .values({ id: snapshotId, packages: packagesJson(encodings), package_count: inv.packages.length, created_at: this.clock(), used_at: this.clock(), names: distinctSorted(names) })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .execute();
      if (inserted.length > 0) this.bases.remember(snapshotId, encodings, names);
    }
    const now = this.clock();
    // Idle kernels are written only when some upload knows them (a caller that does not leaves the column alone).
    const kernels = prepared.some((p) => p.inv.idleKernels !== undefined) ? sql`, idle_kernels = case when u.keep_kernels then h.idle_kernels else u.idle_kernels::jsonb end` : sql``;
    // One statement for every host row: unnest pairs each host with its digest, snapshot and idle kernels.
    await sql`
      update hosts_hosts as h set
        inventory_digest = u.digest, snapshot_id = u.snapshot_id, inventory_at = ${now}, last_seen_at = ${now}${kernels}
      from unnest(${prepared.map((p) => p.inv.id)}::uuid[], ${prepared.map((p) => p.inv.digest)}::text[], ${prepared.map((p) => p.snapshotId)}::text[],
        ${prepared.map((p) => p.inv.idleKernels === undefined)}::boolean[],
        ${prepared.map((p) => (p.inv.idleKernels === undefined || p.inv.idleKernels.length === 0 ? null : JSON.stringify(p.inv.idleKernels)))}::text[])
        as u(id, digest, snapshot_id, keep_kernels, idle_kernels)
      where h.id = u.id`.execute(this.db);
    return prepared.map((p) => p.snapshotId);
  }

  /**
   * Stores snapshots as their differences from their bases, in one statement (the rows as one
   * JSON document, each snapshot's packages embedded as their stored text). Returns the ids
   * now stored, inserted or already there; a snapshot left out has no base to point at (another
   * transaction stored the base and has not committed, or it rolled back, or it was pruned), and
   * the caller stores it whole. `names[i]` is the name `packages[i]` is matched under.
   */
  private async saveBased(snapshots: readonly { snapshotId: string; diff: SnapshotDiff; packages: readonly InstalledPackage[]; names: readonly string[] }[]): Promise<Set<string>> {
    if (snapshots.length === 0) return new Set();
    const rows = snapshots.map(({ snapshotId, diff, packages, names }) => {
      const kept = new Set(names);
      const row = {
        id: snapshotId,
        base_id: diff.baseId,
        removed: diff.removed,
        // Names of the base this snapshot no longer carries at all: a feed update naming them must not take this host.
        removed_names: distinctSorted(diff.removedNames.filter((n) => !kept.has(n))),
        package_count: packages.length,
        names: distinctSorted(diff.added.map((i) => names[i] as string)),
      };
      return `${JSON.stringify(row).slice(0, -1)},"packages":${packagesJson(diff.added.map((i) => encodingOf(packages[i] as InstalledPackage)))}}`;
    });
    // The existence test sees committed rows (and this transaction's) only, never waits on
    // another upload's, so a row that passes it also passes the foreign key.
    const inserted = await sql<{ id: string }>`
      insert into hosts_snapshots (id, base_id, removed, removed_names, packages, package_count, created_at, used_at, names)
      select r.id, r.base_id, r.removed, r.removed_names, r.packages, r.package_count, ${this.clock()}, ${this.clock()}, r.names
      from json_to_recordset(${`[${rows.join(',')}]`}::json) as r(id text, base_id text, removed int[], removed_names text[], packages json, package_count int, names text[])
      where exists (select 1 from hosts_snapshots where id = r.base_id)
      order by r.id
      on conflict (id) do nothing
      returning id`.execute(this.db);
    const stored = new Set(inserted.rows.map((r) => r.id));
    const rest = snapshots.filter((s) => !stored.has(s.snapshotId));
    if (rest.length === 0) return stored;
    const found = await sql<{ id: string }>`
      select id from hosts_snapshots where id = any(${[...new Set(rest.flatMap((s) => [s.snapshotId, s.diff.baseId]))]}::text[])`.execute(this.db);
    const there = new Set(found.rows.map((r) => r.id));
    for (const { snapshotId, diff } of rest) {
      if (there.has(snapshotId)) stored.add(snapshotId);
      else if (!there.has(diff.baseId)) this.bases.forget(diff.baseId);
    }
    return stored;
  }

  /**
   * Marks stored snapshots an upload is about to point at (its own, its base) as used, when their
   * mark is older than a day; before the upload looks for them, so that `pruneSnapshots` never
   * deletes one under it. Anything the pruner may delete is marked older than SNAPSHOT_GRACE_MS,
   * so this update takes it: it locks the row, and the pruner skips it or, if the pruner locked it
   * first and deleted it, the upload finds it gone and stores it again. A fresh mark is left as it
   * is: no write, no lock, and clones of one image storing one snapshot never wait on each other.
   */
  private async markUsed(ids: readonly string[]): Promise<void> {
    const now = this.clock();
    await sql`update hosts_snapshots set used_at = ${now} where id = any(${[...ids]}::text[]) and used_at < ${new Date(now.getTime() - MARK_REFRESH_MS)}`.execute(this.db);
  }

  /**
   * Deletes up to `limit` snapshots that no host points at, no stored snapshot is based on, and
   * no upload has used for SNAPSHOT_GRACE_MS (past inventories; content-addressed, so a host
   * that goes back to one stores it again). Rows an upload holds are skipped, never waited for.
   * A base goes on a later call, once the snapshots based on it went. Returns how many went.
   */
  async pruneSnapshots(limit: number): Promise<number> {
    const cutoff = new Date(this.clock().getTime() - SNAPSHOT_GRACE_MS);
    const deleted = await sql<{ id: string }>`
      delete from hosts_snapshots where id in (
        select s.id from hosts_snapshots s
        where s.used_at < ${cutoff}
          and not exists (select 1 from hosts_hosts h where h.snapshot_id = s.id)
          and not exists (select 1 from hosts_snapshots c where c.base_id = s.id)
        limit ${limit}
        for update skip locked)
      returning id`.execute(this.db);
    for (const r of deleted.rows) this.bases.forget(r.id);
    return deleted.rows.length;
  }

  /** The packages of the host's current snapshot (empty before its first inventory). */
  async packagesOf(id: string): Promise<readonly InstalledPackage[]> {
    return (await this.packagesOfHosts([id])).get(id) ?? [];
  }

  /**
   * `packagesOf` for many hosts (hosts with the same inventory share one array; never change
   * it). One query in the usual case: each host's snapshot id, and a based snapshot's own rows
   * with it; whole snapshots, and the bases of based ones, come from what this process has
   * parsed, or are read once each. Callers with a whole fleet pass slices, so that not every
   * package of every host is in memory at once.
   */
  async packagesOfHosts(ids: readonly string[]): Promise<Map<string, readonly InstalledPackage[]>> {
    const out = new Map<string, readonly InstalledPackage[]>();
    if (ids.length === 0) return out;
    const hosts = await sql<{ id: string; snapshot_id: string | null } & Pick<SnapshotRow, 'base_id' | 'removed' | 'packages'>>`
      select h.id, h.snapshot_id, s.base_id, s.removed, case when s.base_id is null then null else s.packages end as packages
      from hosts_hosts h left join hosts_snapshots s on s.id = h.snapshot_id
      where h.id = any(${[...ids]}::uuid[])`.execute(this.db);
    const whole = await this.wholeSnapshots(new Set(hosts.rows.flatMap((h) => (h.base_id !== null ? [h.base_id] : h.snapshot_id !== null ? [h.snapshot_id] : []))));
    for (const h of hosts.rows) {
      if (h.snapshot_id === null) out.set(h.id, []);
      else if (h.base_id === null) out.set(h.id, whole.get(h.snapshot_id) ?? []);
      else out.set(h.id, composeSnapshot(whole.get(h.base_id) ?? [], h.removed ?? [], h.packages as InstalledPackage[]));
    }
    return out;
  }

  /** Whole snapshots' packages by id: parsed ones from this process's memory, the others read once each. */
  private async wholeSnapshots(ids: ReadonlySet<string>): Promise<Map<string, readonly InstalledPackage[]>> {
    const out = new Map<string, readonly InstalledPackage[]>();
    const wanted = [...ids].filter((id) => {
      const known = this.bases.packagesOf(id);
      if (known) out.set(id, known);
      return !known;
    });
    if (wanted.length === 0) return out;
    const rows = await this.db.selectFrom('hosts_snapshots').select(['id', 'packages']).where(sql<boolean>`id = any(${wanted}::text[])`).execute();
    for (const r of rows) {
      const packages = r.packages as InstalledPackage[];
      this.bases.keepPackages(r.id, packages);
      out.set(r.id, packages);
    }
    return out;
  }

  async packageCount(id: string): Promise<number> {
    const row = await this.db
      .selectFrom('hosts_hosts')
      .innerJoin('hosts_snapshots', 'hosts_snapshots.id', 'hosts_hosts.snapshot_id')
      .select('hosts_snapshots.package_count')
      .where('hosts_hosts.id', '=', id)
      .executeTakeFirst();
    return row?.package_count ?? 0;
  }

  /**
   * Active hosts whose current inventory has a package matched under one of these names: a
   * snapshot's own names, or its base's that it did not lose (`removed_names`). With `ecosystem`,
   * only hosts of that distribution (null: of none known).
   */
  async hostsWithNames(names: readonly string[], ecosystem?: string | null): Promise<string[]> {
    if (names.length === 0) return [];
    const wanted = [...names];
    const ofEcosystem = ecosystem === undefined ? sql`true` : ecosystem === null ? sql`ecosystem is null` : sql`ecosystem = ${ecosystem}`;
    // The snapshots first, once: with the ecosystem test beside it, the planner otherwise ran
    // the snapshot search again for every host row (a feed update took 27 s for 500 hosts).
    const rows = await sql<{ id: string }>`
      with snapshots as materialized (
        select id from hosts_snapshots where names && ${wanted}::text[]
        union all
        select s.id from hosts_snapshots b join hosts_snapshots s on s.base_id = b.id
        where b.names && ${wanted}::text[]
          and exists (select 1 from unnest(${wanted}::text[]) as n where n = any(b.names) and n <> all(s.removed_names)))
      select id from hosts_hosts
      where status = 'active' and ${ofEcosystem} and snapshot_id in (select id from snapshots)
      order by id`.execute(this.db);
    return rows.rows.map((r) => r.id);
  }
}

function distinctSorted(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

/** The packages as the JSON text of the stored snapshot (what JSON.stringify(packages) writes). */
function packagesJson(packages: readonly PackageEncoding[]): string {
  return `[${packages.map((e) => e.json).join(',')}]`;
}

function attributeColumns(a: HostAttributeValues) {
  return {
    tier: a.tier,
    owner: a.owner,
    environment: a.environment,
    internet_facing: a.internetFacing,
    cluster: a.cluster,
    timezone: a.timezone,
    tags: [...a.tags],
  };
}

function toRecord(row: HostRow): HostRecord {
  return {
    id: row.id,
    name: row.name,
    machineId: row.machine_id,
    os: row.os_id ? { id: row.os_id, versionId: row.os_version_id } : null,
    ecosystem: row.ecosystem,
    facts: row.facts,
    attributes: {
      tier: row.tier as HostAttributeValues['tier'],
      owner: row.owner,
      environment: row.environment,
      internetFacing: row.internet_facing,
      cluster: row.cluster,
      timezone: row.timezone,
      tags: row.tags,
    },
    status: row.status,
    quarantineReason: row.quarantine_reason,
    retiredAt: row.retired_at ?? null,
    retiredReason: row.retired_reason ?? null,
    enrolledAt: row.enrolled_at,
    lastSeenAt: row.last_seen_at,
    inventoryDigest: row.inventory_digest,
    inventoryAt: row.inventory_at,
    idleKernels: row.idle_kernels ?? [],
    // Absent on a schema before migration 0026 (the upgrade tests read rows of older schemas).
    personAttributes: row.person_attributes ?? [],
  };
}

/** The identity and facts an agent reports, as columns (enrollment and every check-in). */
function identityColumns(update: Pick<NewHost, 'name' | 'machineId' | 'os' | 'ecosystem' | 'facts'>) {
  return {
    name: update.name,
    machine_id: update.machineId,
    os_id: update.os?.id ?? null,
    os_version_id: update.os?.versionId ?? null,
    ecosystem: update.ecosystem,
    facts: JSON.stringify(update.facts),
  };
}

/** What a check-in writes: the reported identity and facts, and when the host was seen. */
function checkinColumns(update: Pick<NewHost, 'name' | 'machineId' | 'os' | 'ecosystem' | 'facts'>, now: Date) {
  return { ...identityColumns(update), last_seen_at: now };
}
