/** Shapes of CMDB reconciliation: assets people recorded, hosts Patchwise sees, and how they pair. */

/** A machine as a CMDB records it, identifiers normalised (see docs/cmdb.md). */
export interface CmdbAsset {
  /** The file or feed it came from, as given to parseCmdbAssets. */
  readonly source: string;
  /** Where in the source: `line 7` (CSV) or `assets[3]` (JSON). */
  readonly location: string;
  /** Lower case, no trailing dot; short name or FQDN as recorded. */
  readonly hostname?: string | undefined;
  /** systemd machine-id: 32 lower-case hex digits. */
  readonly machineId?: string | undefined;
  /** Upper case; vendor placeholders ("To Be Filled By O.E.M.") are dropped as no serial. */
  readonly serial?: string | undefined;
  /** Canonical IP addresses (IPv6 lower case). */
  readonly ips: readonly string[];
  readonly tier?: 0 | 1 | 2 | 3 | undefined;
  readonly owner?: string | undefined;
  readonly environment?: string | undefined;
  /** The operating system as written, e.g. `Debian 12.5`, `rhel 9`. */
  readonly os?: string | undefined;
  /** Columns or keys Patchwise does not interpret, by their name in the source. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A host as Patchwise knows it (inventory facts plus attributes). */
export interface CmdbHost {
  readonly id: string;
  readonly hostname: string;
  readonly machineId?: string | undefined;
  readonly serial?: string | undefined;
  readonly ips: readonly string[];
  /** Last agent check-in or scan; null when it never reported. */
  readonly lastSeenAt: Date | null;
  readonly attributes: { readonly tier?: number | undefined; readonly owner?: string | undefined; readonly environment?: string | undefined };
  /** os-release ID, VERSION_ID and PRETTY_NAME (which alone tells CentOS Stream from CentOS Linux). */
  readonly os?: { readonly id: string; readonly versionId: string; readonly name?: string | undefined } | undefined;
}

/** Which identifier paired an asset with a host, strongest first. */
export type MatchKey = 'machine_id' | 'serial' | 'hostname' | 'ip';

/** A field where the CMDB and the host disagree; `actual` null when the host has no value. */
export interface Mismatch {
  readonly field: 'hostname' | 'machine_id' | 'serial' | 'ip' | 'tier' | 'owner' | 'environment' | 'os';
  readonly expected: string;
  readonly actual: string | null;
}

export interface ReconcileMatch {
  readonly asset: CmdbAsset;
  readonly host: CmdbHost;
  readonly by: MatchKey;
  readonly mismatches: readonly Mismatch[];
}

export interface ReconcileMissing {
  readonly asset: CmdbAsset;
  /** `never-seen`: no host, or a host that never reported; `stale`: its host last reported too long ago. */
  readonly reason: 'never-seen' | 'stale';
  readonly host?: CmdbHost | undefined;
}

/** Assets and hosts that claim each other at one precedence level in a way that is not one-to-one. */
export interface ReconcileAmbiguity {
  readonly by: MatchKey;
  readonly assets: readonly CmdbAsset[];
  readonly hosts: readonly CmdbHost[];
  readonly reason: string;
}

/**
 * A record that pairs with no host of its own because its identifiers name a host another record
 * already paired with (matched, or missing with that host): two records of one machine.
 */
export interface ReconcileDuplicate {
  /** The record left over. */
  readonly asset: CmdbAsset;
  /** The record the host is paired with, by a stronger or earlier claim. */
  readonly of: CmdbAsset;
  readonly host: CmdbHost;
  /** The strongest identifier `asset` shares with the host. */
  readonly by: MatchKey;
  /** How `of` is paired with the host. */
  readonly ofBy: MatchKey;
  /** What `asset` states that the host lacks or contradicts: a stale copy, or another machine sharing an address. */
  readonly mismatches: readonly Mismatch[];
  readonly reason: string;
}

/**
 * Every asset appears exactly once in matched, missing, duplicate or ambiguous. Every host is at
 * most once in matched, missing, unknown and the ambiguities of one precedence level; a duplicate
 * (and an ambiguity of a record left over, whose hosts other records already claim) names again
 * a host listed there.
 */
export interface ReconcileResult {
  readonly matched: readonly ReconcileMatch[];
  readonly missing: readonly ReconcileMissing[];
  readonly unknown: readonly { readonly host: CmdbHost }[];
  readonly ambiguous: readonly ReconcileAmbiguity[];
  readonly duplicate: readonly ReconcileDuplicate[];
}

export interface ReconcileOptions {
  readonly now: Date;
  /** A matched host not seen for longer than this is `stale`. */
  readonly staleAfterMs: number;
}
