import type { InstalledPackage } from '../inventory/index.js';
import type { PackageFindings } from './package-findings.js';

/**
 * The matcher's answers for the hosts of one package-list layout, by position. Hosts cloned from
 * one image list mostly the same (shared) package objects in the same places, so comparing a
 * package with the ones last seen at its position, and taking their answer, is cheaper than the
 * per-package memo lookups. Two per position, because hosts of one image mostly carry either the
 * image's package or one common update of it. Updated in place: no allocation per host.
 */
export class LayoutAnswers {
  private readonly packages: (InstalledPackage | undefined)[];
  private readonly groups: (PackageFindings | null)[];
  private readonly olderPackages: (InstalledPackage | undefined)[];
  private readonly olderGroups: (PackageFindings | null)[];

  constructor(readonly length: number) {
    this.packages = new Array<InstalledPackage | undefined>(length);
    this.groups = new Array<PackageFindings | null>(length);
    this.olderPackages = new Array<InstalledPackage | undefined>(length);
    this.olderGroups = new Array<PackageFindings | null>(length);
  }

  /** The findings group of `pkg` at position `i` (null: no advisory applies); undefined: not known. */
  get(i: number, pkg: InstalledPackage): PackageFindings | null | undefined {
    if (this.packages[i] === pkg) return this.groups[i];
    if (this.olderPackages[i] === pkg) return this.olderGroups[i];
    return undefined;
  }

  set(i: number, pkg: InstalledPackage, group: PackageFindings | null): void {
    this.olderPackages[i] = this.packages[i];
    this.olderGroups[i] = this.groups[i] ?? null;
    this.packages[i] = pkg;
    this.groups[i] = group;
  }
}

/** Layouts remembered at most; roughly the number of images in a fleet, with room for drift. */
const MAX_LAYOUTS = 1024;

/**
 * Answers by layout. A layout is told by the list's length and the package object in its middle
 * (hosts of one image share it). Dropped whole when advisories change (`clear`).
 */
export class PositionalAnswers {
  private readonly layouts = new Map<InstalledPackage, LayoutAnswers>();

  /** The answers of the hosts laid out like `packages` (none yet for the first of them). */
  layoutOf(packages: readonly InstalledPackage[]): LayoutAnswers | undefined {
    const middle = packages[packages.length >> 1];
    if (middle === undefined) return undefined;
    let layout = this.layouts.get(middle);
    if (layout === undefined || layout.length !== packages.length) {
      if (this.layouts.size >= MAX_LAYOUTS) this.layouts.clear();
      layout = new LayoutAnswers(packages.length);
      this.layouts.set(middle, layout);
    }
    return layout;
  }

  clear(): void {
    this.layouts.clear();
  }
}
