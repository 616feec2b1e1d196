import type { InstalledPackage } from '../inventory/index.js';

/** How a snapshot is stored against a base: the upload's packages the base lacks, and the base's positions it lacks. */
export interface SnapshotDiff {
  readonly baseId: string;
  /** Indexes into the uploaded packages of those the base does not have. */
  readonly added: readonly number[];
  /** Positions in the base's stored package array that the upload does not have. */
  readonly removed: readonly number[];
}

interface Base {
  readonly id: string;
  /** Canonical package line → its first position in the base's stored array. */
  readonly positions: ReadonlyMap<string, number>;
  readonly size: number;
}

/** Below this many packages a snapshot is stored whole: a difference saves nothing worth a lookup. */
const MIN_PACKAGES = 64;
/** Lines compared against every candidate before the exact difference is taken with the best. */
const SAMPLE = 48;
/** A base is used when at most this share of the packages differ (added plus removed). */
const MAX_DIFFERENCE = 0.25;

/**
 * Whole snapshots this process stored recently, as bases for the next ones. Hosts of one image
 * differ in a few percent of their packages, so storing each host's snapshot as "this base, minus
 * these positions, plus these packages" writes a few kilobytes instead of ~100 KB per
 * 1,000-package upload, and indexes a few names instead of all of them (docs/ARCHITECTURE.md,
 * "Inventory snapshots").
 *
 * Only a hint: the store checks that a chosen base is committed before it points at it, and
 * falls back to a whole snapshot otherwise. Bases are whole snapshots only, so reading any
 * snapshot takes at most its row and its base's. Also a cache of parsed snapshots, which never
 * change once stored. Long-lived: one per server process, shared by its stores.
 */
export class SnapshotBases {
  /** Most recently used first. */
  private bases: Base[] = [];
  private readonly parsed = new Map<string, readonly InstalledPackage[]>();

  constructor(
    private readonly capacity = 64,
    private readonly parsedCapacity = 256,
  ) {}

  /**
   * The base this upload is best stored against and the difference, or undefined when none is
   * close enough. `lines` are the canonical lines of the uploaded packages, in upload order.
   */
  diff(lines: readonly string[]): SnapshotDiff | undefined {
    if (lines.length < MIN_PACKAGES || this.bases.length === 0) return undefined;
    const base = this.closest(lines);
    if (!base) return undefined;
    const limit = Math.floor(MAX_DIFFERENCE * lines.length);
    const used = new Uint8Array(base.size);
    const added: number[] = [];
    for (let i = 0; i < lines.length; i++) {
      const at = base.positions.get(lines[i] as string);
      // A repeated line matches the base once; a second copy counts as added.
      if (at !== undefined && used[at] === 0) used[at] = 1;
      else if (added.push(i) > limit) return undefined;
    }
    const removed: number[] = [];
    for (let at = 0; at < base.size; at++) if (used[at] === 0 && removed.push(at) + added.length > limit) return undefined;
    this.bases = [base, ...this.bases.filter((b) => b !== base)];
    return { baseId: base.id, added, removed };
  }

  /** A whole snapshot just stored, in its stored order: a base for the snapshots that follow. */
  remember(id: string, lines: readonly string[]): void {
    if (lines.length < MIN_PACKAGES || this.bases.some((b) => b.id === id)) return;
    const positions = new Map<string, number>();
    lines.forEach((line, i) => {
      if (!positions.has(line)) positions.set(line, i);
    });
    this.bases = [{ id, positions, size: lines.length }, ...this.bases].slice(0, this.capacity);
  }

  /** A base that turned out not to be stored (its transaction rolled back): never offered again. */
  forget(id: string): void {
    this.bases = this.bases.filter((b) => b.id !== id);
    this.parsed.delete(id);
  }

  /** A stored snapshot's packages, if this process has read them (snapshots never change). */
  packagesOf(id: string): readonly InstalledPackage[] | undefined {
    return this.parsed.get(id);
  }

  keepPackages(id: string, packages: readonly InstalledPackage[]): void {
    if (this.parsed.size >= this.parsedCapacity) this.parsed.delete(this.parsed.keys().next().value as string);
    this.parsed.set(id, packages);
  }

  /** The candidate sharing most of an evenly spaced sample of the lines, if it shares most of them. */
  private closest(lines: readonly string[]): Base | undefined {
    const step = Math.max(1, Math.floor(lines.length / SAMPLE));
    let best: Base | undefined;
    let bestHits = 0;
    let sampled = 0;
    for (const base of this.bases) {
      let hits = 0;
      sampled = 0;
      for (let i = 0; i < lines.length; i += step, sampled++) if (base.positions.has(lines[i] as string)) hits++;
      if (hits > bestHits) [best, bestHits] = [base, hits];
    }
    return bestHits >= (1 - MAX_DIFFERENCE) * sampled ? best : undefined;
  }
}

/** A based snapshot's packages: its base's without the removed positions, then its own. */
export function composeSnapshot(base: readonly InstalledPackage[], removed: readonly number[], added: readonly InstalledPackage[]): InstalledPackage[] {
  const gone = new Set(removed);
  const out: InstalledPackage[] = [];
  base.forEach((p, i) => {
    if (!gone.has(i)) out.push(p);
  });
  return out.concat(added);
}
