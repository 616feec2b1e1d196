import type { InstalledPackage } from '../inventory/index.js';
import type { PackageFindings } from './package-findings.js';

/**
 * The matcher's answers for the last host of one package-list layout, by position. Hosts cloned
 * from one image list mostly the same (shared) package objects in the same places, so comparing
 * a package with the one at the same position of the previous such host, and taking its answer,
 * is cheaper than the per-package memo lookups. Updated in place as hosts pass: no allocation
 * per host.
 */
export interface LayoutAnswers {
  /** The package last seen at each position; undefined: none yet, or its answer was an error. */
  readonly packages: (InstalledPackage | undefined)[];
  /** Its findings group; null: no advisory applies. */
  readonly groups: (PackageFindings | null)[];
}

/** Layouts remembered at most; roughly the number of images in a fleet, with room for drift. */
const MAX_LAYOUTS = 1024;

/**
 * Answers by layout. A layout is told by the list's length and the package object in its middle
 * (hosts of one image share it). Dropped whole when advisories change (`clear`).
 */
export class PositionalAnswers {
  private readonly layouts = new Map<InstalledPackage, LayoutAnswers>();

  /** The answers of the last host laid out like `packages`, empty when it is the first. */
  layoutOf(packages: readonly InstalledPackage[]): LayoutAnswers | undefined {
    const middle = packages[packages.length >> 1];
    if (middle === undefined) return undefined;
    let layout = this.layouts.get(middle);
    if (layout === undefined || layout.packages.length !== packages.length) {
      if (this.layouts.size >= MAX_LAYOUTS) this.layouts.clear();
      layout = { packages: new Array<InstalledPackage | undefined>(packages.length), groups: new Array<PackageFindings | null>(packages.length) };
      this.layouts.set(middle, layout);
    }
    return layout;
  }

  clear(): void {
    this.layouts.clear();
  }
}
