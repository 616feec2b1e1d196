/**
 * What every inventory reader returns besides packages: how many entries it left out, and why.
 * Readers skip what they cannot match (no purl, a purl type without advisories, an unknown
 * distribution) instead of failing the whole host, and say so, so "0 findings" is never silent.
 */
import type { HostInventory, InstalledPackage } from './types.js';

/** A reason entries were left out, with how many were. Reasons are short and low-cardinality. */
export interface SkippedCount {
  readonly reason: string;
  readonly count: number;
}

/** The formats `parseInventory` recognises. */
export type InventoryFormat = 'cyclonedx-json' | 'spdx-json' | 'patchwise-json' | 'dpkg-status' | 'rpm-qa' | 'apk-installed';

/** The hosts read from one input (one for every format today), and what was skipped. */
export interface InventoryParseResult {
  readonly format: InventoryFormat;
  readonly inventories: HostInventory[];
  readonly skipped: SkippedCount[];
}

/** A distribution package before its ecosystem is known (dpkg, rpm and apk databases do not say). */
export type DistroPackage = Omit<InstalledPackage, 'ecosystem'>;

/** What the package-database readers (dpkg, rpm, apk) return. */
export interface DistroPackagesResult {
  readonly packages: DistroPackage[];
  readonly skipped: SkippedCount[];
}

/** Counts skipped entries by reason, keeping first-seen order for stable output. */
export class SkipTally {
  private readonly counts = new Map<string, number>();

  add(reason: string, n = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }

  addAll(skipped: readonly SkippedCount[]): void {
    for (const s of skipped) this.add(s.reason, s.count);
  }

  toArray(): SkippedCount[] {
    return [...this.counts].map(([reason, count]) => ({ reason, count }));
  }
}
