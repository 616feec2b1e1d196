/**
 * CycloneDX JSON (1.4–1.6) SBOMs, as Syft and Trivy write them, read into one host inventory.
 * This is on the scan hot path (10,000 hosts × 1,000 components), so the walk touches only the
 * fields it needs, parses purls with the focused parser in purl.ts, and caches the distro
 * qualifier → ecosystem mapping (every package of a host repeats the same qualifier).
 */
import { PatchwiseError, isPatchwiseError } from '../errors/index.js';
import { distroOf, ecosystemForDistro, parseDistroQualifier } from './distro.js';
import { normalizeNuGetName, normalizePackagistName, normalizePyPIName } from './names.js';
import { parseSourceRpm, withEpoch } from './package-version.js';
import { emptyPurl, parsePurlInto } from './purl.js';
import type { Purl } from './purl.js';
import { emptyLayout, layoutKey, type ComponentLayout, type PackageCache } from './package-cache.js';
import { SkipTally } from './result.js';
import type { SkippedCount } from './result.js';
import type { Distro, HostInventory, InstalledPackage } from './types.js';
import { goModule } from './go-module.js';

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
    walker.beginLayout(components);
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

/** An ecosystem, or why there is none. */
type Resolution = { ecosystem: string } | { skip: string };

class Walker {
  readonly packages: InstalledPackage[] = [];
  readonly skipped = new SkipTally();
  readonly hostDistro: Distro | undefined;
  /** Ecosystem for distribution packages whose purl has no distro qualifier. */
  private readonly fallback: Resolution;
  private readonly byQualifier = new Map<string, Resolution>();
  // The qualifier of the previous package: nearly every package of a host repeats it, and two
  // string compares are cheaper than building a map key.
  private lastNamespace = '';
  private lastQualifier = '';
  private lastResolution: Resolution | undefined;
  private readonly maxDepth: number;
  private readonly cache: PackageCache | undefined;
  /** The purl of the current component when its package may be cached under it. */
  private cacheKey: string | undefined;
  /** Index of the current component among the top-level ones; -1 when nested. */
  private position = -1;
  /** Packages by position in SBOMs of this one's shape (see PackageCache.layout). */
  private layout: ComponentLayout | undefined;
  /** One purl result reused for every component (parsePurlInto): no allocation per component. */
  private readonly purl = emptyPurl();
  // The source package found for the current component; fields, not a returned tuple, for the
  // same reason.
  private srcName: string | undefined;
  private srcVersion: string | undefined;

  constructor(
    private readonly source: string,
    os: Obj | undefined,
    options: CycloneDxOptions,
  ) {
    this.maxDepth = options.maxDepth ?? MAX_COMPONENT_DEPTH;
    this.cache = options.packageCache;
    let fromOs: Resolution | undefined;
    let osDistro: Distro | undefined;
    if (os) {
      const id = typeof os.name === 'string' ? os.name : '';
      const version = typeof os.version === 'string' ? os.version : '';
      try {
        osDistro = distroOf(id, version);
        fromOs = { ecosystem: osDistro.ecosystem };
      } catch (err) {
        if (!isPatchwiseError(err)) throw err;
        fromOs = { skip: `operating system "${`${id} ${version}`.trim()}" has no OSV ecosystem` };
      }
    }
    // What the caller states about the host outranks what the SBOM's generator detected.
    this.hostDistro = options.distro ?? osDistro;
    const given = options.ecosystem ?? options.distro?.ecosystem;
    this.fallback = given
      ? { ecosystem: given }
      : (fromOs ?? { skip: 'distribution package without a release (no purl distro qualifier, no operating-system component)' });
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
    this.cacheKey = undefined;
    if (this.cache) {
      // The package follows from the purl, plus Trivy's source properties when there are any:
      // both make the cache key, so SBOMs of every shape share packages.
      let key = purlText;
      if (Array.isArray(c.properties)) {
        this.trivySource(c.properties as unknown[]);
        if (this.srcName !== undefined) key = `${purlText}\u0000${this.srcName}\u0000${this.srcVersion ?? ''}`;
      }
      const pos = this.position;
      const layout = this.layout;
      const same = pos >= 0 && layout !== undefined ? atPosition(layout, pos, key) : undefined;
      if (same) {
        this.packages.push(same);
        return;
      }
      const hit = this.cache.get(key);
      if (hit) {
        this.remember(key, hit);
        this.packages.push(hit);
        return;
      }
      this.cacheKey = key;
    }
    const purl = this.purl;
    if (!parsePurlInto(purlText, purl)) {
      this.skipped.add('malformed purl');
      return;
    }
    // A package read from the purl alone can be shared; one that also needs the component's
    // version or the host's distro cannot.
    if (purl.version === '' || ((purl.type === 'deb' || purl.type === 'rpm' || purl.type === 'apk') && purl.distro === '')) {
      this.cacheKey = undefined;
    }
    const version = purl.version !== '' ? purl.version : typeof c.version === 'string' ? c.version : '';
    if (version === '') {
      this.skipped.add(`${purl.type} component without a version`);
      return;
    }
    switch (purl.type) {
      case 'deb':
      case 'rpm':
      case 'apk':
        this.distroPackage(c, purl, version);
        return;
      case 'pypi':
        this.push('PyPI', normalizePyPIName(purl.name), version, undefined, undefined, undefined);
        return;
      case 'npm':
        this.push('npm', purl.namespace ? `${purl.namespace}/${purl.name}` : purl.name, version, undefined, undefined, undefined);
        return;
      // Names as OSV spells them: Maven `groupId:artifactId`, Go the module path.
      case 'maven':
        if (purl.namespace === '') {
          this.skipped.add('maven component without a group id');
          return;
        }
        this.push('Maven', `${purl.namespace}:${purl.name}`, version, undefined, undefined, undefined);
        return;
      case 'golang': {
        const go = goModule(purl.namespace ? `${purl.namespace}/${purl.name}` : purl.name, version);
        if ('skip' in go) this.skipped.add(go.skip);
        else this.push('Go', go.name, go.version, undefined, undefined, undefined);
        return;
      }
      case 'cargo':
        this.push('crates.io', purl.name, version, undefined, undefined, undefined);
        return;
      // RubyGems names are case-sensitive and kept; Composer's are `vendor/name`, compared
      // case-insensitively (normalizeName lower-cases them, as the purl specification does).
      case 'gem':
        this.push('RubyGems', purl.name, version, undefined, undefined, undefined);
        return;
      case 'composer':
        if (purl.namespace === '') {
          this.skipped.add('composer component without a vendor');
          return;
        }
        this.push('Packagist', normalizePackagistName(`${purl.namespace}/${purl.name}`), version, undefined, undefined, undefined);
        return;
      // NuGet ids have no namespace (purl specification) and are compared case-insensitively;
      // a namespace means the purl names something else, which a guess could mismatch.
      case 'nuget':
        if (purl.namespace !== '') {
          this.skipped.add('nuget component with a namespace (NuGet purls have none)');
          return;
        }
        this.push('NuGet', normalizeNuGetName(purl.name), version, undefined, undefined, undefined);
        return;
      // Hex and pub names are lower-case by registry rule, and the purl specification lower-cases
      // them. A hex namespace is a hex.pm organisation: its private packages are not the public
      // ones OSV's advisories name, so they are left out rather than matched by name.
      case 'hex':
        if (purl.namespace !== '') {
          this.skipped.add('hex component of a private organisation');
          return;
        }
        this.push('Hex', purl.name.toLowerCase(), version, undefined, undefined, undefined);
        return;
      case 'pub':
        if (purl.namespace !== '') {
          this.skipped.add('pub component with a namespace (pub has none)');
          return;
        }
        this.push('Pub', purl.name.toLowerCase(), version, undefined, undefined, undefined);
        return;
      default:
        this.skipped.add(`unsupported purl type "${purl.type}"`);
    }
  }

  private distroPackage(c: Obj, purl: Purl, rawVersion: string): void {
    const res = purl.distro !== '' ? this.resolveQualifier(purl.namespace, purl.distro) : this.fallback;
    if ('skip' in res) {
      this.skipped.add(res.skip);
      return;
    }
    const version = withEpoch(rawVersion, purl.epoch);
    this.srcName = undefined;
    this.srcVersion = undefined;
    if (purl.upstream !== '') {
      if (purl.type === 'rpm') {
        // The binary's epoch is the source's (one spec file); older Syft has it in the version only.
        const colon = version.indexOf(':');
        this.upstreamRpm(purl.upstream, colon > 0 ? version.slice(0, colon) : '');
      } else {
        this.upstreamNameAtVersion(purl.upstream);
      }
    } else if (Array.isArray(c.properties)) {
      this.trivySource(c.properties as unknown[]);
    }
    // dpkg and apk omit the source when it is the package itself (Syft then writes no `upstream`);
    // an rpm's source package is never assumed, since binary and source names differ so often.
    let sourceName: string | undefined = this.srcName;
    if (purl.type !== 'rpm') sourceName ??= purl.name;
    const sourceVersion = sourceName === undefined ? undefined : (this.srcVersion ?? version);
    this.push(res.ecosystem, purl.name, version, sourceName, sourceVersion, purl.arch || undefined);
  }

  /** Syft's deb/apk `upstream`: `name` or `name@version` (the `@` arrives decoded). */
  private upstreamNameAtVersion(upstream: string): void {
    const at = upstream.indexOf('@');
    if (at < 0) {
      this.srcName = upstream;
    } else {
      this.srcName = upstream.slice(0, at);
      this.srcVersion = upstream.slice(at + 1) || undefined;
    }
  }

  /** Syft's rpm `upstream` is the source rpm's file name; anything else is taken as a bare name. */
  private upstreamRpm(upstream: string, epoch: string): void {
    const src = parseSourceRpm(upstream, epoch);
    this.srcName = src ? src.name : upstream;
    this.srcVersion = src?.version;
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

  private resolveQualifier(namespace: string, qualifier: string): Resolution {
    if (this.lastResolution && qualifier === this.lastQualifier && namespace === this.lastNamespace) return this.lastResolution;
    const key = `${namespace}\u0000${qualifier}`;
    let res = this.byQualifier.get(key);
    if (!res) {
      const rel = parseDistroQualifier(qualifier);
      try {
        res = { ecosystem: ecosystemForDistro(rel.id || namespace, rel.versionId) };
      } catch (err) {
        if (!isPatchwiseError(err)) throw err;
        res = { skip: `distro "${qualifier}" has no OSV ecosystem` };
      }
      this.byQualifier.set(key, res);
    }
    this.lastNamespace = namespace;
    this.lastQualifier = qualifier;
    this.lastResolution = res;
    return res;
  }

  private push(
    ecosystem: string,
    name: string,
    version: string,
    sourceName: string | undefined,
    sourceVersion: string | undefined,
    arch: string | undefined,
  ): void {
    // One object shape for every package keeps the array's elements monomorphic for matching.
    const pkg: InstalledPackage = { ecosystem, name, version, sourceName, sourceVersion, arch };
    this.packages.push(pkg);
    if (this.cacheKey !== undefined) {
      this.cache?.set(this.cacheKey, pkg);
      this.remember(this.cacheKey, pkg);
    }
  }

  /** Notes a shareable package at the current top-level position, for the next SBOM of this shape. */
  private remember(purl: string, pkg: InstalledPackage): void {
    const layout = this.layout;
    const pos = this.position;
    if (pos < 0 || !layout) return;
    layout.olderPurls[pos] = layout.purls[pos];
    layout.olderPackages[pos] = layout.packages[pos];
    layout.purls[pos] = purl;
    layout.packages[pos] = pkg;
  }

  /**
   * Starts comparing against the previous SBOMs of the same shape. Their layout is updated in
   * place where this SBOM differs: an entry left from an older SBOM still pairs a purl with its
   * package, which is all a match by position relies on.
   */
  beginLayout(components: readonly unknown[]): void {
    if (!this.cache) return;
    const key = layoutKey(components);
    this.layout = this.cache.layout(key);
    if (this.layout) return;
    this.layout = emptyLayout(components.length);
    this.cache.setLayout(key, this.layout);
  }
}

/** The package the layout pairs with this purl at this position, if any. */
function atPosition(layout: ComponentLayout, pos: number, purl: string): InstalledPackage | undefined {
  if (layout.purls[pos] === purl) return layout.packages[pos];
  if (layout.olderPurls[pos] === purl) return layout.olderPackages[pos];
  return undefined;
}

function asObj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}
