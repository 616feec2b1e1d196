/**
 * Pairs CMDB assets with the hosts Patchwise sees. Rules (docs/cmdb.md):
 * - Precedence: machine id, then serial, then hostname (exact, then the short-name rule), then IP.
 *   Each level pairs only assets and hosts no stronger level has settled.
 * - Within a level, assets and hosts that claim each other form groups; a group of one asset
 *   and one host is a match, anything larger is an ambiguity, reported with every member and
 *   kept out of later levels, never resolved by guessing.
 * - Short name vs FQDN: `web01` pairs with `web01.example.com` (one side short, equal to the
 *   other's first label); two FQDNs pair only when equal, so web01.prod.x and web01.test.x differ.
 * - A matched host that never reported, or not within `staleAfterMs` of `now`, makes its asset
 *   missing (`never-seen` / `stale`) rather than matched.
 * - A record left over whose identifiers name a host another record already paired with is a
 *   `duplicate` of that record, not a missing machine; when its strongest claim names several
 *   such hosts, or one held in an ambiguity, it is ambiguous.
 */
import {
  isIdentifyingIp,
  normalizeHostname,
  normalizeIp,
  normalizeMachineId,
  normalizeSerial,
  shortName,
} from './asset-fields.js';
import { sameOs } from './os-string.js';
import type {
  CmdbAsset,
  CmdbHost,
  MatchKey,
  Mismatch,
  ReconcileAmbiguity,
  ReconcileDuplicate,
  ReconcileMatch,
  ReconcileMissing,
  ReconcileOptions,
  ReconcileResult,
} from './types.js';

/** A host's identifiers in the asset spelling; values that fail normalisation identify nothing. */
interface HostKeys {
  readonly machineId?: string | undefined;
  readonly serial?: string | undefined;
  readonly hostname?: string | undefined;
  readonly ips: readonly string[];
}

/** One precedence level: which keys an asset offers and which a host offers. */
interface Level {
  readonly by: MatchKey;
  readonly assetKeys: (a: CmdbAsset) => readonly string[];
  readonly hostKeys: (h: HostKeys) => readonly string[];
}

const LEVELS: readonly Level[] = [
  { by: 'machine_id', assetKeys: (a) => opt(a.machineId), hostKeys: (h) => opt(h.machineId) },
  { by: 'serial', assetKeys: (a) => opt(a.serial), hostKeys: (h) => opt(h.serial) },
  { by: 'hostname', assetKeys: (a) => opt(a.hostname), hostKeys: (h) => opt(h.hostname) },
  // The short-name rule: the key is "short:<name>", offered by a short name on one side and by
  // an FQDN's first label on the other, so two FQDNs never meet here.
  {
    by: 'hostname',
    assetKeys: (a) => (a.hostname ? [shortKey(a.hostname, true)] : []),
    hostKeys: (h) => (h.hostname ? [shortKey(h.hostname, false)] : []),
  },
  {
    by: 'ip',
    assetKeys: (a) => a.ips.filter(isIdentifyingIp),
    hostKeys: (h) => h.ips.filter(isIdentifyingIp),
  },
];

/** Reconciles assets with hosts; every asset ends in exactly one of matched, missing, duplicate, ambiguous. */
export function reconcile(assets: readonly CmdbAsset[], hosts: readonly CmdbHost[], options: ReconcileOptions): ReconcileResult {
  const keys = hosts.map(hostKeys);
  const assetLeft = new Set(assets.keys());
  const hostLeft = new Set(hosts.keys());
  const pairs: { asset: number; host: number; by: MatchKey }[] = [];
  const ambiguous: ReconcileAmbiguity[] = [];

  for (const level of LEVELS) {
    const hostsByKey = new Map<string, number[]>();
    for (const h of hostLeft) {
      for (const k of level.hostKeys(keys[h] as HostKeys)) push(hostsByKey, k, h);
    }
    // Claims at this level, as edges between asset i and host j.
    const claims = new Map<number, Set<number>>();
    for (const a of assetLeft) {
      const found = new Set<number>();
      for (const k of level.assetKeys(assets[a] as CmdbAsset)) for (const h of hostsByKey.get(k) ?? []) found.add(h);
      if (found.size > 0) claims.set(a, found);
    }
    for (const group of groups(claims)) {
      for (const a of group.assets) assetLeft.delete(a);
      for (const h of group.hosts) hostLeft.delete(h);
      if (group.assets.length === 1 && group.hosts.length === 1) {
        pairs.push({ asset: group.assets[0] as number, host: group.hosts[0] as number, by: level.by });
      } else {
        const as = group.assets.map((i) => assets[i] as CmdbAsset);
        const hs = group.hosts.map((i) => hosts[i] as CmdbHost);
        ambiguous.push({ by: level.by, assets: as, hosts: hs, reason: ambiguityReason(level.by, as, hs) });
      }
    }
  }

  // A record left over can still name hosts: only ones a stronger level settled, since a claim on
  // a host still free would have grouped them at its level. Such a record is a second record of
  // a host, and calling it missing would send someone looking for a machine that reports.
  const duplicate: ReconcileDuplicate[] = [];
  const pairOfHost = new Map(pairs.map((p) => [p.host, p]));
  const claimsOnSettled = settledClaims(assets, assetLeft, keys);
  for (const [a, claim] of claimsOnSettled) {
    assetLeft.delete(a);
    const asset = assets[a] as CmdbAsset;
    const pair = claim.hosts.length === 1 ? pairOfHost.get(claim.hosts[0] as number) : undefined;
    if (pair) {
      const host = hosts[pair.host] as CmdbHost;
      const of = assets[pair.asset] as CmdbAsset;
      const reason = `${named(asset)} and ${named(of)} both match host ${host.id} (${host.hostname}): ${named(asset)} by ${claim.by}, ${named(of)} by ${pair.by}`;
      duplicate.push({ asset, of, host, by: claim.by, ofBy: pair.by, mismatches: mismatches(asset, host, keys[pair.host] as HostKeys), reason });
      continue;
    }
    // Several hosts, or one already contested: which machine this record means is not ours to guess.
    const hs = claim.hosts.map((h) => hosts[h] as CmdbHost);
    const claimedBy = claim.hosts.map((h) => {
      const p = pairOfHost.get(h);
      return p ? named(assets[p.asset] as CmdbAsset) : (ambiguous.find((x) => x.hosts.includes(hosts[h] as CmdbHost))?.assets.map(named).join(', ') ?? '');
    });
    const reason = `asset ${named(asset)} matches ${hs.length === 1 ? `host ${hs[0]?.id ?? ''}` : `${hs.length} hosts (${hs.map((h) => h.id).join(', ')})`} by ${claim.by}, ${hs.length === 1 ? 'already claimed by other records' : 'each already claimed by another record'} (${claimedBy.join('; ')})`;
    ambiguous.push({ by: claim.by, assets: [asset], hosts: hs, reason });
  }

  const now = options.now.getTime();
  const matched: ReconcileMatch[] = [];
  const missing: ReconcileMissing[] = [];
  for (const p of pairs) {
    const asset = assets[p.asset] as CmdbAsset;
    const host = hosts[p.host] as CmdbHost;
    if (host.lastSeenAt === null) missing.push({ asset, reason: 'never-seen', host });
    else if (now - host.lastSeenAt.getTime() > options.staleAfterMs) missing.push({ asset, reason: 'stale', host });
    else matched.push({ asset, host, by: p.by, mismatches: mismatches(asset, host, keys[p.host] as HostKeys) });
  }
  for (const a of assetLeft) missing.push({ asset: assets[a] as CmdbAsset, reason: 'never-seen' });
  // Keep the caller's order in every list, whatever order the levels produced.
  const order = new Map(assets.map((a, i) => [a, i]));
  matched.sort((x, y) => (order.get(x.asset) ?? 0) - (order.get(y.asset) ?? 0));
  missing.sort((x, y) => (order.get(x.asset) ?? 0) - (order.get(y.asset) ?? 0));
  duplicate.sort((x, y) => (order.get(x.asset) ?? 0) - (order.get(y.asset) ?? 0));
  const unknown = [...hostLeft].sort((x, y) => x - y).map((h) => ({ host: hosts[h] as CmdbHost }));
  return { matched, missing, unknown, ambiguous, duplicate };
}

/**
 * For each asset in `left`, the strongest level at which its identifiers name any host, and the
 * hosts named there (sorted). Asked only after every level ran, so those hosts are all settled.
 */
function settledClaims(assets: readonly CmdbAsset[], left: ReadonlySet<number>, keys: readonly HostKeys[]): Map<number, { by: MatchKey; hosts: number[] }> {
  const out = new Map<number, { by: MatchKey; hosts: number[] }>();
  if (left.size === 0) return out;
  const pending = new Set(left);
  for (const level of LEVELS) {
    if (pending.size === 0) break;
    const hostsByKey = new Map<string, number[]>();
    keys.forEach((k, h) => {
      for (const key of level.hostKeys(k)) push(hostsByKey, key, h);
    });
    for (const a of [...pending].sort((x, y) => x - y)) {
      const found = new Set<number>();
      for (const k of level.assetKeys(assets[a] as CmdbAsset)) for (const h of hostsByKey.get(k) ?? []) found.add(h);
      if (found.size === 0) continue;
      out.set(a, { by: level.by, hosts: [...found].sort((x, y) => x - y) });
      pending.delete(a);
    }
  }
  return out;
}

function named(asset: CmdbAsset): string {
  return `${asset.source} ${asset.location}`;
}

/** Connected groups of the claim graph (assets and hosts joined by a claim), each sorted. */
function groups(claims: ReadonlyMap<number, ReadonlySet<number>>): { assets: number[]; hosts: number[] }[] {
  const claimants = new Map<number, number[]>();
  for (const [a, hs] of claims) for (const h of hs) push(claimants, h, a);
  const seen = new Set<number>();
  const out: { assets: number[]; hosts: number[] }[] = [];
  for (const start of [...claims.keys()].sort((x, y) => x - y)) {
    if (seen.has(start)) continue;
    const as = new Set<number>([start]);
    const hs = new Set<number>();
    const queue = [start];
    seen.add(start);
    while (queue.length > 0) {
      const a = queue.pop() as number;
      for (const h of claims.get(a) ?? []) {
        if (hs.has(h)) continue;
        hs.add(h);
        for (const other of claimants.get(h) ?? []) {
          if (!seen.has(other)) {
            seen.add(other);
            as.add(other);
            queue.push(other);
          }
        }
      }
    }
    out.push({ assets: [...as].sort((x, y) => x - y), hosts: [...hs].sort((x, y) => x - y) });
  }
  return out;
}

function ambiguityReason(by: MatchKey, assets: readonly CmdbAsset[], hosts: readonly CmdbHost[]): string {
  const a = assets.map((x) => `${x.source} ${x.location}`).join(', ');
  const h = hosts.map((x) => x.id).join(', ');
  if (assets.length > 1 && hosts.length === 1) return `${assets.length} assets (${a}) claim host ${h} by ${by}`;
  if (assets.length === 1) return `asset ${a} matches ${hosts.length} hosts (${h}) by ${by}`;
  return `assets ${a} and hosts ${h} claim each other by ${by} without a one-to-one pairing`;
}

/** Fields the asset states that the host lacks or contradicts. */
function mismatches(asset: CmdbAsset, host: CmdbHost, k: HostKeys): Mismatch[] {
  const out: Mismatch[] = [];
  const add = (field: Mismatch['field'], expected: string, actual: string | undefined | null): void => {
    out.push({ field, expected, actual: actual === undefined || actual === '' ? null : actual });
  };
  if (asset.hostname && !(k.hostname && sameHostname(asset.hostname, k.hostname))) add('hostname', asset.hostname, host.hostname);
  if (asset.machineId && k.machineId !== asset.machineId) add('machine_id', asset.machineId, k.machineId ?? host.machineId);
  if (asset.serial && k.serial !== asset.serial) add('serial', asset.serial, k.serial ?? host.serial);
  if (asset.ips.length > 0 && !asset.ips.some((ip) => k.ips.includes(ip))) add('ip', asset.ips.join(', '), host.ips.join(', '));
  if (asset.tier !== undefined && host.attributes.tier !== asset.tier) add('tier', String(asset.tier), host.attributes.tier?.toString());
  if (asset.owner && !sameText(asset.owner, host.attributes.owner)) add('owner', asset.owner, host.attributes.owner);
  if (asset.environment && !sameText(asset.environment, host.attributes.environment)) add('environment', asset.environment, host.attributes.environment);
  if (asset.os && !(host.os && sameOs(asset.os, host.os))) add('os', asset.os, host.os ? `${host.os.id} ${host.os.versionId}`.trim() : undefined);
  return out;
}

function sameHostname(a: string, b: string): boolean {
  if (a === b) return true;
  const aShort = !a.includes('.');
  const bShort = !b.includes('.');
  return aShort !== bShort && shortName(a) === shortName(b);
}

function sameText(a: string, b: string | undefined): boolean {
  return b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * Keys for the short-name rule, tagged by which side holds the short name: `as:` (asset short,
 * host FQDN) or `hs:` (host short, asset FQDN). Two short names or two FQDNs get different tags
 * and so never meet; equal short names already paired at the exact level.
 */
function shortKey(hostname: string, assetSide: boolean): string {
  const isShort = !hostname.includes('.');
  return `${assetSide === isShort ? 'as' : 'hs'}:${shortName(hostname)}`;
}

function hostKeys(h: CmdbHost): HostKeys {
  return {
    machineId: quietly(() => (h.machineId ? normalizeMachineId(h.machineId) : undefined)),
    serial: quietly(() => (h.serial ? normalizeSerial(h.serial) : undefined)),
    hostname: quietly(() => (h.hostname ? normalizeHostname(h.hostname) : undefined)),
    ips: h.ips.flatMap((ip) => opt(quietly(() => normalizeIp(ip)))),
  };
}

/** Host facts come from agents: a malformed one identifies nothing rather than failing the run. */
function quietly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function opt(v: string | undefined): string[] {
  return v === undefined ? [] : [v];
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
