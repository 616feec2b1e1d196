import type { InstalledPackage } from '../inventory/index.js';

/** How a snapshot is stored against a base: the upload's packages the base lacks, and the base's positions it lacks. */
export interface SnapshotDiff {
  readonly baseId: string;
  /** Indexes into the uploaded packages of those the base does not have. */
  readonly added: readonly number[];
  /** Positions in the base's stored package array that the upload does not have. */
  readonly removed: readonly number[];
  /** The names the packages at those positions are matched under. */
  readonly removedNames: readonly string[];
}

/** What a snapshot's packages are compared by: the canonical line, and a uniform number from its digest. */
export interface SnapshotLine {
  readonly line: string;
  readonly rank: number;
}

interface Base {
  readonly id: string;
  /** Canonical package line → its first position in the base's stored array. */
  readonly positions: ReadonlyMap<string, number>;
  readonly size: number;
  /** The name each position's package is matched under. */
  readonly names: readonly string[];
  /** The base's lines in the sample (see `sampled`). */
  readonly sample: readonly string[];
}

/** Below this many packages a snapshot is stored whole: a difference saves nothing worth a lookup. */
const MIN_PACKAGES = 64;
/** One package in this many is in the sample the closest base is chosen by (by its digest, so the same packages everywhere). */
const SAMPLE_EVERY = 8;
/** A base is used when at most this share of the packages differ (added plus removed). */
const MAX_DIFFERENCE = 0.25;

const sampled = (l: SnapshotLine) => l.rank % SAMPLE_EVERY === 0;

/**
 * Whole snapshots this process stored recently, as bases for the next ones. Hosts of one image
 * differ in a few percent of their packages, so storing each host's snapshot as "this base, minus
 * these positions, plus these packages" writes a few kilobytes instead of ~100 KB per
 * 1,000-package upload, and indexes a few names instead of all of them (docs/ARCHITECTURE.md,
 * "Inventory snapshots").
 *
 * The closest base is found by votes: the sampled packages of an upload (one in eight, picked
 * by digest) look up which bases have them, so the cost does not grow with the number of bases.
 *
 * Only a hint: the store checks that a chosen base is committed before it points at it, and
 * falls back to a whole snapshot otherwise. Bases are whole snapshots only, so reading any
 * snapshot takes at most its row and its base's. Also a cache of parsed snapshots, which never
 * change once stored. Long-lived: one per server process, shared by its stores.
 */
export class SnapshotBases {
  /** Most recently used last (a Map keeps insertion order). */
  private readonly bases = new Map<string, Base>();
  /** Sampled line → the bases that have it. */
  private readonly voters = new Map<string, Base[]>();
  private readonly parsed = new Map<string, readonly InstalledPackage[]>();

  constructor(
    private readonly capacity = 64,
    private readonly parsedCapacity = 256,
  ) {}

  /**
   * The base this upload is best stored against and the difference, or undefined when none is
   * close enough. `lines` are the uploaded packages' encodings, in upload order.
   */
  diff(lines: readonly SnapshotLine[]): SnapshotDiff | undefined {
    if (lines.length < MIN_PACKAGES || this.bases.size === 0) return undefined;
    const base = this.closest(lines);
    if (!base) return undefined;
    const limit = Math.floor(MAX_DIFFERENCE * lines.length);
    const used = new Uint8Array(base.size);
    const added: number[] = [];
    for (let i = 0; i < lines.length; i++) {
      const at = base.positions.get((lines[i] as SnapshotLine).line);
      // A repeated line matches the base once; a second copy counts as added.
      if (at !== undefined && used[at] === 0) used[at] = 1;
      else if (added.push(i) > limit) return undefined;
    }
    const removed: number[] = [];
    for (let at = 0; at < base.size; at++) if (used[at] === 0 && removed.push(at) + added.length > limit) return undefined;
    this.bases.delete(base.id);
    this.bases.set(base.id, base);
    return { baseId: base.id, added, removed, removedNames: removed.map((at) => base.names[at] as string) };
  }

  /**
   * A whole snapshot just stored, in its stored order: a base for the snapshots that follow.
   * `names[i]` is the name the package at position i is matched under.
   */
  remember(id: string, lines: readonly SnapshotLine[], names: readonly string[]): void {
    if (lines.length < MIN_PACKAGES || this.bases.has(id)) return;
    const positions = new Map<string, number>();
    lines.forEach((l, i) => {
      if (!positions.has(l.line)) positions.set(l.line, i);
    });
    const base: Base = { id, positions, size: lines.length, names, sample: [...new Set(lines.filter(sampled).map((l) => l.line))] };
    this.bases.set(id, base);
    for (const line of base.sample) {
      const list = this.voters.get(line);
      if (list) list.push(base);
      else this.voters.set(line, [base]);
    }
    if (this.bases.size > this.capacity) this.forget(this.bases.keys().next().value as string);
  }

  /** A base that turned out not to be stored (its transaction rolled back), or the least recently used. */
  forget(id: string): void {
    const base = this.bases.get(id);
    this.parsed.delete(id);
    if (!base) return;
    this.bases.delete(id);
    for (const line of base.sample) {
      const rest = (this.voters.get(line) ?? []).filter((b) => b !== base);
      if (rest.length > 0) this.voters.set(line, rest);
      else this.voters.delete(line);
    }
  }

  /** A stored snapshot's packages, if this process has read them (snapshots never change). */
  packagesOf(id: string): readonly InstalledPackage[] | undefined {
    return this.parsed.get(id);
  }

  keepPackages(id: string, packages: readonly InstalledPackage[]): void {
    if (this.parsed.size >= this.parsedCapacity) this.parsed.delete(this.parsed.keys().next().value as string);
    this.parsed.set(id, packages);
  }

  /** The base most of the upload's sampled packages vote for, if it has nearly all of them. */
  private closest(lines: readonly SnapshotLine[]): Base | undefined {
    const votes = new Map<Base, number>();
    let sample = 0;
    for (const l of lines) {
      if (!sampled(l)) continue;
      sample++;
      for (const base of this.voters.get(l.line) ?? []) votes.set(base, (votes.get(base) ?? 0) + 1);
    }
    let best: Base | undefined;
    let most = 0;
    for (const [base, n] of votes) if (n > most) [best, most] = [base, n];
    return sample > 0 && most >= (1 - MAX_DIFFERENCE) * sample ? best : undefined;
  }
}

/**
 * A based snapshot's packages: its base's without the removed positions, each replaced in place
 * by an own package of the same name where there is one (a package at another version), then
 * the rest of its own. Hosts of one image thus read back with their packages at the image's
 * places, which the positional memos of package sharing and matching rely on.
 */
export function composeSnapshot(base: readonly InstalledPackage[], removed: readonly number[], added: readonly InstalledPackage[]): InstalledPackage[] {
  const gone = new Set(removed);
  const byName = new Map<string, number[]>();
  added.forEach((p, i) => {
    const key = `${p.ecosystem}\u0000${p.name}`;
    const list = byName.get(key);
    if (list) list.push(i);
    else byName.set(key, [i]);
  });
  const placed = new Uint8Array(added.length);
  const out: InstalledPackage[] = [];
  base.forEach((p, i) => {
    if (!gone.has(i)) return void out.push(p);
    const at = byName.get(`${p.ecosystem}\u0000${p.name}`)?.shift();
    if (at === undefined) return;
    placed[at] = 1;
    out.push(added[at] as InstalledPackage);
  });
  added.forEach((p, i) => {
    if (placed[i] === 0) out.push(p);
  });
  return out;
}
