/**
 * CycloneDX JSON (1.4–1.6) SBOMs, as Syft and Trivy write them, read into one host inventory.
 * This is on the scan hot path (10,000 hosts × 1,000 components), so the walk touches only the
 * fields it needs; purl → package (shared with the SPDX reader, with its caches) is
 * PurlPackageReader's.
 */
import { PatchwiseError } from '../errors/index.js';
import { layoutKey, type PackageCache } from './package-cache.js';
import { withEpoch } from './package-version.js';
import { PurlPackageReader } from './purl-package-reader.js';
import type { EntryWording } from './purl-package-reader.js';
import type { SkippedCount } from './result.js';
import type { Distro, HostInventory } from './types.js';

/** CycloneDX JSON spec versions read; the component model Patchwise uses is the same in all three. */
export const CYCLONEDX_SPEC_VERSIONS: readonly string[] = ['1.4', '1.5', '1.6'];

/** Deepest `components` nesting followed; deeper is refused rather than walked (hostile input). */
export const MAX_COMPONENT_DEPTH = 64;

/** How `parseCycloneDx` fills in what the SBOM leaves out. */
export interface CycloneDxOptions {
  /** Host name when the SBOM has no usable `metadata.component.name`. */
  readonly fallbackHost: string;
  /**
   * The host's distribution as the caller knows it (os-release). For packages whose purl has no
   * distro qualifier it outranks the SBOM's operating-system component.
   */
  readonly distro?: Distro | undefined;
  /** Ecosystem for distribution packages whose purl has no distro qualifier (outranks `distro`). */
  readonly ecosystem?: string | undefined;
  /** Deepest `components` nesting accepted; default MAX_COMPONENT_DEPTH. */
  readonly maxDepth?: number | undefined;
  /** Packages shared across the SBOMs of one scan, by purl. */
  readonly packageCache?: PackageCache | undefined;
}

/** One host, and the components left out, counted by reason. */
export interface CycloneDxResult {
  readonly inventory: HostInventory;
  readonly skipped: SkippedCount[];
}

type Obj = Record<string, unknown>;

const WORDING: EntryWording = {
  noun: 'component',
  noRelease: 'distribution package without a release (no purl distro qualifier, no operating-system component)',
};

/** True when a parsed JSON value is a CycloneDX document (any spec version). */
export function isCycloneDx(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && (value as Obj).bomFormat === 'CycloneDX';
}

/**
 * Reads a parsed CycloneDX JSON BOM. Host: `metadata.component.name` (when it has a letter or
 * digit: Syft names directory scans "/"), else `fallbackHost`. Packages: every component, nested
 * ones included, with a `pkg:deb`, `pkg:rpm`, `pkg:apk`, `pkg:pypi`, `pkg:npm`, `pkg:maven`,
 * `pkg:golang`, `pkg:cargo`, `pkg:gem`, `pkg:composer` or `pkg:nuget` purl; others are counted in `skipped`. Throws PW_INPUT_INVALID for an unsupported specVersion or a `components`
 * that is not an array, and PW_INPUT_TOO_DEEP past `maxDepth` levels of nested components.
 */
export function parseCycloneDx(bom: Obj, source: string, options: CycloneDxOptions): CycloneDxResult {
  const spec = bom.specVersion;
  if (typeof spec !== 'string' || !CYCLONEDX_SPEC_VERSIONS.includes(spec)) {
    throw new PatchwiseError(
      'PW_INPUT_INVALID',
      `CycloneDX specVersion ${JSON.stringify(spec)} is not supported (supported: ${CYCLONEDX_SPEC_VERSIONS.join(', ')})`,
      { input: source },
    );
  }
  const components = bom.components;
  if (components !== undefined && !Array.isArray(components)) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'components: must be an array', { input: source });
  }
  const metaComponent = asObj(asObj(bom.metadata)?.component);
  const os = findOsComponent(metaComponent, components);
  const walker = new Walker(source, os, options);
  if (components) {
    if (options.packageCache) walker.beginLayout(layoutKey(components), components.length);
    walker.walk(components, 1, 'components');
  }
  const name = metaComponent?.name;
  const host = typeof name === 'string' && /[\p{L}\p{N}]/u.test(name) ? name.trim() : options.fallbackHost;
  return {
    inventory: { host, source, distro: walker.hostDistro, packages: walker.packages },
    skipped: walker.skipped.toArray(),
  };
}

/** The operating-system component: metadata.component itself, else the first top-level one. */
function findOsComponent(meta: Obj | undefined, components: unknown[] | undefined): Obj | undefined {
  if (meta?.type === 'operating-system') return meta;
  if (!components) return undefined;
  for (const c of components) {
    if (typeof c === 'object' && c !== null && (c as Obj).type === 'operating-system') return c as Obj;
  }
  return undefined;
}

/**
 * Walks the component tree; what follows from each purl is PurlPackageReader's. CycloneDX's own
 * parts: the purl in `purl`, the version in `version`, Trivy's source package in properties.
 */
class Walker extends PurlPackageReader {
  private readonly maxDepth: number;

  constructor(
    private readonly source: string,
    os: Obj | undefined,
    options: CycloneDxOptions,
  ) {
    super(
      os && { name: typeof os.name === 'string' ? os.name : '', version: typeof os.version === 'string' ? os.version : '' },
      options,
      WORDING,
    );
    this.maxDepth = options.maxDepth ?? MAX_COMPONENT_DEPTH;
  }

  walk(components: unknown[], depth: number, path: string): void {
    if (depth > this.maxDepth) {
      throw new PatchwiseError('PW_INPUT_TOO_DEEP', `${path}: components nested deeper than ${this.maxDepth} levels`, {
        input: this.source,
      });
    }
    for (let i = 0; i < components.length; i++) {
      const c = components[i];
      if (typeof c !== 'object' || c === null) {
        this.skipped.add('component is not an object');
        continue;
      }
      const comp = c as Obj;
      this.position = depth === 1 ? i : -1;
      if (comp.type !== 'operating-system') this.component(comp);
      const nested = comp.components;
      if (nested !== undefined) {
        if (!Array.isArray(nested)) {
          throw new PatchwiseError('PW_INPUT_INVALID', `${path}[${i}].components: must be an array`, { input: this.source });
        }
        if (nested.length > 0) this.walk(nested, depth + 1, `${path}[${i}].components`);
      }
    }
  }

  private component(c: Obj): void {
    const purlText = c.purl;
    if (typeof purlText !== 'string' || purlText === '') {
      this.skipped.add('component without a purl');
      return;
    }
    this.addPurl(c, purlText);
  }

  protected cacheKeyOf(c: Obj, purl: string): string {
    if (!Array.isArray(c.properties)) return purl;
    this.trivySource(c.properties as unknown[]);
    return this.srcName === undefined ? purl : `${purl}\u0000${this.srcName}\u0000${this.srcVersion ?? ''}`;
  }

  protected entrySource(c: Obj): void {
    if (Array.isArray(c.properties)) this.trivySource(c.properties as unknown[]);
  }

  protected entryVersion(c: Obj): string {
    return typeof c.version === 'string' ? c.version : '';
  }

  /**
   * Trivy writes the source package as properties: SrcName, SrcVersion, SrcRelease, SrcEpoch
   * (the version split as rpm splits it, for deb too). Rebuilt as `[E:]V[-R]`.
   */
  private trivySource(properties: unknown[]): void {
    let name: string | undefined;
    let version = '';
    let release = '';
    let epoch = '';
    for (let i = 0; i < properties.length; i++) {
      const p = properties[i];
      if (typeof p !== 'object' || p === null) continue;
      const key = (p as Obj).name;
      // This runs for every property of every Trivy component, so the tests are ordered cheapest
      // first: the four keys are 26 to 29 characters long, share `aquasecurity:trivy:Src` and
      // differ at index 22, which picks the one key to compare in full (native string compare;
      // a charCodeAt loop or String#startsWith measured several times slower).
      if (typeof key !== 'string' || key.length < 26 || key.charCodeAt(21) !== 99) continue;
      const value = (p as Obj).value;
      if (typeof value !== 'string') continue;
      const which = key.charCodeAt(22);
      if (which === 78) {
        if (key === 'aquasecurity:trivy:SrcName') name = value;
      } else if (which === 86) {
        if (key === 'aquasecurity:trivy:SrcVersion') version = value;
      } else if (which === 82) {
        if (key === 'aquasecurity:trivy:SrcRelease') release = value;
      } else if (which === 69) {
        if (key === 'aquasecurity:trivy:SrcEpoch') epoch = value;
      }
    }
    this.srcName = name;
    if (name !== undefined && version !== '') this.srcVersion = withEpoch(release ? `${version}-${release}` : version, epoch);
  }
}

function asObj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}
