/**
 * A host inventory in a compact form for crossing a thread boundary. Sending the package objects
 * themselves would cost about as much as parsing the SBOM again (structured clone builds every
 * object anew) and would lose the sharing of identical packages that the matcher's memo relies on.
 * Instead each sender numbers the distinct package objects it has sent and a host's packages
 * travel as numbers; a package's fields travel once, the first time the sender sends it.
 */
import type { PackageCache } from './package-cache.js';
import type { HostInventory, InstalledPackage } from './types.js';

/** A host inventory as an `InventoryEncoder` sent it. */
export interface EncodedInventory {
  /** Everything but the packages, as read. */
  readonly host: Omit<HostInventory, 'packages'>;
  /** The host's packages in order, by the sender's number for each. */
  readonly refs: Int32Array;
  /**
   * Packages numbered for the first time here, in number order: FIELDS_PER_PACKAGE values each
   * (ecosystem, name, version, sourceName, sourceVersion, arch).
   */
  readonly defs: (string | undefined)[];
  /** The sender forgot its numbers before this inventory; numbering restarts at 0. */
  readonly reset: boolean;
}

const FIELDS_PER_PACKAGE = 6;

/** Layouts whose last host the encoder remembers: about the number of images in a fleet. */
const MAX_LAYOUTS_REMEMBERED = 1024;

/** Distinct packages one sender numbers before it starts again (bounds both sides' tables). */
const DEFAULT_MAX_NUMBERED = 250_000;

/**
 * The sending side (a parser thread). Numbers package objects by identity: a PackageCache gives
 * every host of an image the same objects, so after the first host of an image only the packages
 * where a host deviates are sent in full.
 */
export class InventoryEncoder {
  private readonly numbers = new Map<InstalledPackage, number>();
  /**
   * Per layout (package count and object in the middle, as the matcher tells clones of one image
   * apart), the last two objects seen at each place with their numbers. Clones list the same
   * objects at the same places, mostly the image's package or one common update of it, and
   * comparing with the same place is cheaper than a lookup by identity.
   */
  private readonly layouts = new Map<InstalledPackage, EncoderLayout>();

  constructor(private readonly maxNumbered = DEFAULT_MAX_NUMBERED) {}

  encode(inventory: HostInventory): EncodedInventory {
    const { packages, ...host } = inventory;
    let reset = false;
    if (this.numbers.size + packages.length > this.maxNumbered) {
      // Inventories read without a cache (package databases) bring new objects every time.
      this.numbers.clear();
      this.layouts.clear();
      reset = true;
    }
    const n = packages.length;
    const refs = new Int32Array(n);
    const defs: (string | undefined)[] = [];
    const layout = this.layoutOf(packages);
    for (let i = 0; i < n; i++) {
      const pkg = packages[i] as InstalledPackage;
      if (layout.packages[i] === pkg) {
        refs[i] = layout.refs[i] as number;
        continue;
      }
      if (layout.olderPackages[i] === pkg) {
        refs[i] = layout.olderRefs[i] as number;
      } else {
        let number = this.numbers.get(pkg);
        if (number === undefined) {
          number = this.numbers.size;
          this.numbers.set(pkg, number);
          defs.push(pkg.ecosystem, pkg.name, pkg.version, pkg.sourceName, pkg.sourceVersion, pkg.arch);
        }
        refs[i] = number;
      }
      layout.olderPackages[i] = layout.packages[i];
      layout.olderRefs[i] = layout.refs[i] as number;
      layout.packages[i] = pkg;
      layout.refs[i] = refs[i] as number;
    }
    return { host, refs, defs, reset };
  }

  private layoutOf(packages: readonly InstalledPackage[]): EncoderLayout {
    const middle = packages[packages.length >> 1];
    const known = middle === undefined ? undefined : this.layouts.get(middle);
    if (known && known.packages.length === packages.length) return known;
    const n = packages.length;
    const layout: EncoderLayout = {
      packages: new Array<InstalledPackage | undefined>(n),
      refs: new Int32Array(n),
      olderPackages: new Array<InstalledPackage | undefined>(n),
      olderRefs: new Int32Array(n),
    };
    if (middle !== undefined) {
      if (this.layouts.size >= MAX_LAYOUTS_REMEMBERED) this.layouts.clear();
      this.layouts.set(middle, layout);
    }
    return layout;
  }
}

interface EncoderLayout {
  readonly packages: (InstalledPackage | undefined)[];
  readonly refs: Int32Array;
  readonly olderPackages: (InstalledPackage | undefined)[];
  readonly olderRefs: Int32Array;
}

/**
 * The receiving side: one per sender, all sharing the scan's PackageCache, so that a package
 * sent by two senders is still one object in the scan.
 */
export class InventoryDecoder {
  private packages: InstalledPackage[] = [];

  constructor(private readonly cache: PackageCache) {}

  /** Decodes inventories in the order their sender encoded them. */
  decode(encoded: EncodedInventory): HostInventory {
    if (encoded.reset) this.packages = [];
    const { defs, refs } = encoded;
    for (let j = 0; j < defs.length; j += FIELDS_PER_PACKAGE) this.packages.push(this.define(defs, j));
    const table = this.packages;
    const packages = new Array<InstalledPackage>(refs.length);
    for (let i = 0; i < refs.length; i++) packages[i] = table[refs[i] as number] as InstalledPackage;
    return { ...encoded.host, packages };
  }

  private define(defs: readonly (string | undefined)[], at: number): InstalledPackage {
    const ecosystem = defs[at] as string;
    const name = defs[at + 1] as string;
    const version = defs[at + 2] as string;
    const sourceName = defs[at + 3];
    const sourceVersion = defs[at + 4];
    const arch = defs[at + 5];
    // Keyed by every field (a PackageCache's purl keys start with `pkg:`, so the two never meet):
    // packages equal in every field match alike, so sharing one object is safe.
    const key = `${ecosystem}\u0000${name}\u0000${version}\u0000${orNone(sourceName)}\u0000${orNone(sourceVersion)}\u0000${orNone(arch)}`;
    const known = this.cache.get(key);
    if (known) return known;
    // The shape CycloneDX reading gives every package: one shape keeps matching monomorphic.
    const pkg: InstalledPackage = { ecosystem, name, version, sourceName, sourceVersion, arch };
    this.cache.set(key, pkg);
    return pkg;
  }
}

function orNone(value: string | undefined): string {
  return value ?? '\u0001';
}
