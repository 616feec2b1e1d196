import type { InstalledPackage } from './types.js';

/**
 * Installed packages by the purl they were read from, shared across the inventories of one scan
 * (or one server). Fleets are built from a few images, so most hosts list the same purls: a
 * cache hit skips purl parsing, and the shared object lets the matcher answer from its
 * per-object memo instead of three map lookups. Only purls that alone determine the package
 * are cached (see CycloneDX reader). Bounded: cleared when full, which costs only re-parsing.
 */
export class PackageCache {
  private readonly byPurl = new Map<string, InstalledPackage>();

  constructor(private readonly maxEntries = 1_000_000) {}

  get(purl: string): InstalledPackage | undefined {
    return this.byPurl.get(purl);
  }

  set(purl: string, pkg: InstalledPackage): void {
    if (this.byPurl.size >= this.maxEntries) this.byPurl.clear();
    this.byPurl.set(purl, pkg);
  }

  get size(): number {
    return this.byPurl.size;
  }
}
