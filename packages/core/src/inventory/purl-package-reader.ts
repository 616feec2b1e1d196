/**
 * The part of SBOM reading that follows from a purl: purl type → OSV ecosystem and name, the
 * distro qualifier → ecosystem, Syft's `upstream` source, epochs, and the PackageCache (by purl
 * and by position). CycloneDX components and SPDX packages carry the same purls, so both readers
 * extend this class and differ only in where the purl, the fallback version and the source
 * package live in their documents (the abstract methods).
 *
 * This is the scan hot path (10,000 hosts × 1,000 components): one purl object reused for every
 * entry, the previous qualifier's ecosystem remembered, packages shared by position for SBOMs of
 * one shape. bench/inventory-parse.ts measures it.
 */
import { isPatchwiseError } from '../errors/index.js';
import { distroOf, ecosystemForDistro, parseDistroQualifier } from './distro.js';
import { goModule } from './go-module.js';
import { normalizeNuGetName, normalizePackagistName, normalizePyPIName } from './names.js';
import { emptyLayout, type ComponentLayout, type PackageCache } from './package-cache.js';
import { parseSourceRpm, withEpoch } from './package-version.js';
import { emptyPurl, parsePurlInto } from './purl.js';
import type { Purl } from './purl.js';
import { SkipTally } from './result.js';
import type { Distro, InstalledPackage } from './types.js';

/** What the caller says about the host, and the scan's shared packages. */
export interface PurlReaderOptions {
  /**
   * The host's distribution as the caller knows it (os-release). For packages whose purl has no
   * distro qualifier it outranks the SBOM's operating-system entry.
   */
  readonly distro?: Distro | undefined;
  /** Ecosystem for distribution packages whose purl has no distro qualifier (outranks `distro`). */
  readonly ecosystem?: string | undefined;
  /** Packages shared across the SBOMs of one scan, by purl. */
  readonly packageCache?: PackageCache | undefined;
}

/** The SBOM's own operating-system entry (CycloneDX component, SPDX package): `debian` `12`. */
export interface OsEntry {
  readonly name: string;
  readonly version: string;
}

/** How one reader words its entries in skip reasons. */
export interface EntryWording {
  /** `component` (CycloneDX) or `package` (SPDX): `maven component without a group id`. */
  readonly noun: string;
  /** Why a distro package has no release when neither purl, caller nor SBOM names one. */
  readonly noRelease: string;
}

type Obj = Record<string, unknown>;

/** An ecosystem, or why there is none. */
type Resolution = { ecosystem: string } | { skip: string };

export abstract class PurlPackageReader {
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
  protected readonly cache: PackageCache | undefined;
  /** The cache key of the current entry when its package may be cached under it. */
  private cacheKey: string | undefined;
  /** Index of the current entry in the list its layout covers; -1 when outside it (nested). */
  protected position = -1;
  /** Packages by position in SBOMs of this one's shape (see PackageCache.layout). */
  private layout: ComponentLayout | undefined;
  /** One purl result reused for every entry (parsePurlInto): no allocation per entry. */
  private readonly purl = emptyPurl();
  private readonly noun: string;
  // The source package found for the current entry; fields, not a returned tuple, for the same
  // reason. Subclasses set them in `entrySource` and `cacheKeyOf`.
  protected srcName: string | undefined;
  protected srcVersion: string | undefined;

  constructor(os: OsEntry | undefined, options: PurlReaderOptions, wording: EntryWording) {
    this.cache = options.packageCache;
    this.noun = wording.noun;
    let fromOs: Resolution | undefined;
    let osDistro: Distro | undefined;
    if (os) {
      try {
        osDistro = distroOf(os.name, os.version);
        fromOs = { ecosystem: osDistro.ecosystem };
      } catch (err) {
        if (!isPatchwiseError(err)) throw err;
        fromOs = { skip: `operating system "${`${os.name} ${os.version}`.trim()}" has no OSV ecosystem` };
      }
    }
    // What the caller states about the host outranks what the SBOM's generator detected.
    this.hostDistro = options.distro ?? osDistro;
    const given = options.ecosystem ?? options.distro?.ecosystem;
    this.fallback = given ? { ecosystem: given } : (fromOs ?? { skip: wording.noRelease });
  }

  /**
   * The cache key of an entry with this purl: the purl, plus whatever else of the entry decides
   * its package (a source package given beside the purl). Called only with a cache.
   */
  protected abstract cacheKeyOf(entry: Obj, purl: string): string;

  /** Sets `srcName`/`srcVersion` from the entry, for a distro package whose purl has no `upstream`. */
  protected abstract entrySource(entry: Obj): void;

  /** The entry's own version, for a purl without one; '' when it has none usable. */
  protected abstract entryVersion(entry: Obj): string;

  /** Why an entry whose purl has no version, and that has none of its own, is skipped. */
  protected withoutVersion(_entry: Obj, type: string): string {
    return `${type} ${this.noun} without a version`;
  }

  /** Reads one entry by its purl into `packages`, or counts it in `skipped`. */
  protected addPurl(entry: Obj, purlText: string): void {
    this.cacheKey = undefined;
    if (this.cache) {
      // The package follows from the purl, plus a source package given beside it: both make the
      // cache key, so SBOMs of every shape share packages.
      const key = this.cacheKeyOf(entry, purlText);
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
    // A package read from the purl alone can be shared; one that also needs the entry's
    // version or the host's distro cannot.
    if (purl.version === '' || ((purl.type === 'deb' || purl.type === 'rpm' || purl.type === 'apk') && purl.distro === '')) {
      this.cacheKey = undefined;
    }
    const version = purl.version !== '' ? purl.version : this.entryVersion(entry);
    if (version === '') {
      this.skipped.add(this.withoutVersion(entry, purl.type));
      return;
    }
    const noun = this.noun;
    switch (purl.type) {
      case 'deb':
      case 'rpm':
      case 'apk':
        this.distroPackage(entry, purl, version);
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
          this.skipped.add(`maven ${noun} without a group id`);
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
          this.skipped.add(`composer ${noun} without a vendor`);
          return;
        }
        this.push('Packagist', normalizePackagistName(`${purl.namespace}/${purl.name}`), version, undefined, undefined, undefined);
        return;
      // NuGet ids have no namespace (purl specification) and are compared case-insensitively;
      // a namespace means the purl names something else, which a guess could mismatch.
      case 'nuget':
        if (purl.namespace !== '') {
          this.skipped.add(`nuget ${noun} with a namespace (NuGet purls have none)`);
          return;
        }
        this.push('NuGet', normalizeNuGetName(purl.name), version, undefined, undefined, undefined);
        return;
      // Hex and pub names are lower-case by registry rule, and the purl specification lower-cases
      // them. A hex namespace is a hex.pm organisation: its private packages are not the public
      // ones OSV's advisories name, so they are left out rather than matched by name.
      case 'hex':
        if (purl.namespace !== '') {
          this.skipped.add(`hex ${noun} of a private organisation`);
          return;
        }
        this.push('Hex', purl.name.toLowerCase(), version, undefined, undefined, undefined);
        return;
      case 'pub':
        if (purl.namespace !== '') {
          this.skipped.add(`pub ${noun} with a namespace (pub has none)`);
          return;
        }
        this.push('Pub', purl.name.toLowerCase(), version, undefined, undefined, undefined);
        return;
      default:
        this.skipped.add(`unsupported purl type "${purl.type}"`);
    }
  }

  private distroPackage(entry: Obj, purl: Purl, rawVersion: string): void {
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
    } else {
      this.entrySource(entry);
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

  /** Notes a shareable package at the current position, for the next SBOM of this shape. */
  private remember(key: string, pkg: InstalledPackage): void {
    const layout = this.layout;
    const pos = this.position;
    if (pos < 0 || !layout) return;
    layout.olderPurls[pos] = layout.purls[pos];
    layout.olderPackages[pos] = layout.packages[pos];
    layout.purls[pos] = key;
    layout.packages[pos] = pkg;
  }

  /**
   * Starts comparing against the previous SBOMs of the same shape (`key`, see `layoutKey`), whose
   * position-indexed list has `length` entries. Their layout is updated in place where this SBOM
   * differs: an entry left from an older SBOM still pairs a key with its package, which is all a
   * match by position relies on.
   */
  beginLayout(key: string, length: number): void {
    if (!this.cache) return;
    this.layout = this.cache.layout(key);
    if (this.layout) return;
    this.layout = emptyLayout(length);
    this.cache.setLayout(key, this.layout);
  }
}

/** The package the layout pairs with this key at this position, if any. */
function atPosition(layout: ComponentLayout, pos: number, key: string): InstalledPackage | undefined {
  if (layout.purls[pos] === key) return layout.packages[pos];
  if (layout.olderPurls[pos] === key) return layout.olderPackages[pos];
  return undefined;
}
