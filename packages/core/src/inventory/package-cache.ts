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
  private readonly layouts = new Map<string, ComponentLayout>();
  /** Shared packages by position, per layout of package lists without purls (see `sharedPackages`). */
  private readonly packageLayouts = new Map<string, PackageLayout>();
  /** Packages without a purl, by name (see `shared`). */
  private readonly byName = new Map<string, Map<string, InstalledPackage[]>>();
  private named = 0;

  constructor(private readonly maxEntries = 1_000_000) {}

  /**
   * The packages by position of the SBOMs read with this shape (see `layoutKey`), as the reader
   * last updated them in place. Hosts built from one image list mostly the same purls in the same
   * places, and comparing a purl with the one at the same place in the previous host's list is
   * far cheaper than a lookup by hash.
   */
  layout(key: string): ComponentLayout | undefined {
    return this.layouts.get(key);
  }

  setLayout(key: string, layout: ComponentLayout): void {
    if (this.layouts.size >= MAX_LAYOUTS) this.layouts.clear();
    this.layouts.set(key, layout);
  }

  /**
   * The object equal to `pkg` in every field, stored first if new. Indexed by name and version,
   * then a list (almost always of one) compared field by field: a composite string key would be
   * built and hashed per package, and a list per name alone grows with every version in the
   * fleet; both cost more than the matching they save.
   */
  shared(pkg: InstalledPackage): InstalledPackage {
    let versions = this.byName.get(pkg.name);
    const candidates = versions?.get(pkg.version);
    if (candidates) {
      for (const c of candidates) {
        if (c.ecosystem === pkg.ecosystem && c.arch === pkg.arch && c.sourceName === pkg.sourceName && c.sourceVersion === pkg.sourceVersion) return c;
      }
    }
    if (this.named >= this.maxEntries) {
      this.byName.clear();
      this.named = 0;
      versions = undefined;
    }
    if (!versions) this.byName.set(pkg.name, (versions = new Map<string, InstalledPackage[]>()));
    const list = versions.get(pkg.version);
    if (list) list.push(pkg);
    else versions.set(pkg.version, [pkg]);
    this.named++;
    return pkg;
  }

  /** The positional memo of package lists with this layout key and length (made on first use). */
  packageLayout(key: string, length: number): PackageLayout {
    let layout = this.packageLayouts.get(key);
    if (layout === undefined || layout.length !== length) {
      if (this.packageLayouts.size >= MAX_LAYOUTS) this.packageLayouts.clear();
      layout = new PackageLayout(length);
      this.packageLayouts.set(key, layout);
    }
    return layout;
  }

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

/**
 * The cache's object equal to `pkg` (every field), after storing `pkg` if there is none: for
 * readers whose packages have no purl (Patchwise JSON, stored snapshots). Read-only objects.
 */
export function sharedPackage(cache: PackageCache, pkg: InstalledPackage): InstalledPackage {
  return cache.shared(pkg);
}

/**
 * The cache's objects for a whole list of packages without purls (Patchwise JSON uploads,
 * stored snapshots), equal field by field to `packages`, in order. Lists of one image hold
 * mostly the same packages in the same places, so each package is first compared with the two
 * last seen at its position in lists of the same layout (six string comparisons) and only
 * looked up by name and version when neither is equal: the lookups hash two fresh strings per
 * package and cost about five times as much.
 */
export function sharedPackages(cache: PackageCache, packages: readonly InstalledPackage[]): InstalledPackage[] {
  const middle = packages[packages.length >> 1];
  if (middle === undefined) return packages.map((p) => cache.shared(p));
  const layout = cache.packageLayout(`${packages.length}|${middle.ecosystem}|${middle.name}|${middle.version}`, packages.length);
  return packages.map((p, i) => layout.shared(i, p, cache));
}

/**
 * Shared packages by position for the package lists of one layout: the last two distinct ones
 * seen at each place (hosts of one image carry either its package or one common update).
 */
export class PackageLayout {
  private readonly current: (InstalledPackage | undefined)[];
  private readonly older: (InstalledPackage | undefined)[];

  constructor(readonly length: number) {
    this.current = new Array<InstalledPackage | undefined>(length);
    this.older = new Array<InstalledPackage | undefined>(length);
  }

  /** The shared object equal to `pkg`, the package at position `i` of a list of this layout. */
  shared(i: number, pkg: InstalledPackage, cache: PackageCache): InstalledPackage {
    const current = this.current[i];
    if (current !== undefined && samePackage(current, pkg)) return current;
    const older = this.older[i];
    if (older !== undefined && samePackage(older, pkg)) return older;
    const found = cache.shared(pkg);
    this.older[i] = current;
    this.current[i] = found;
    return found;
  }
}

function samePackage(a: InstalledPackage, b: InstalledPackage): boolean {
  return a.name === b.name && a.version === b.version && a.ecosystem === b.ecosystem && a.arch === b.arch && a.sourceName === b.sourceName && a.sourceVersion === b.sourceVersion;
}

/**
 * Top-level components of the SBOMs of one shape, by position: the last two distinct purls seen
 * there with their shared packages. Two, because hosts of one image mostly carry either the
 * image's package or one common update of it, and alternate between them.
 */
export interface ComponentLayout {
  readonly purls: (string | undefined)[];
  readonly packages: (InstalledPackage | undefined)[];
  readonly olderPurls: (string | undefined)[];
  readonly olderPackages: (InstalledPackage | undefined)[];
}

export function emptyLayout(length: number): ComponentLayout {
  return {
    purls: new Array<string | undefined>(length),
    packages: new Array<InstalledPackage | undefined>(length),
    olderPurls: new Array<string | undefined>(length),
    olderPackages: new Array<InstalledPackage | undefined>(length),
  };
}

/** Distinct SBOM shapes remembered: roughly the number of images in a fleet. */
const MAX_LAYOUTS = 1024;

/** Groups SBOMs likely to come from one image: same component count, same purl in the middle. */
export function layoutKey(components: readonly unknown[]): string {
  const middle = components[components.length >> 1];
  const purl = typeof middle === 'object' && middle !== null ? (middle as { purl?: unknown }).purl : undefined;
  return `${components.length}|${typeof purl === 'string' ? purl : ''}`;
}
