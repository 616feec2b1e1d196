/**
 * SPDX 2.2 and 2.3 JSON SBOMs, as Syft (`-o spdx-json`), Trivy (`--format spdx-json`) and
 * GitHub's dependency-graph export write them, read into one host inventory.
 *
 * A package is read from its purl, the `externalRefs` entry of category `PACKAGE-MANAGER` (2.3;
 * 2.2's JSON schema spells it `PACKAGE_MANAGER`, and tools write both) and type `purl`; what follows
 * from the purl is PurlPackageReader's, the same code as for CycloneDX, so both formats give the
 * same packages. SPDX's own parts: the fallback version in `versionInfo`, Trivy's source package in
 * `sourceInfo` ("built package from: openssl 3.0.11-1~deb12u2"), and the host's distribution in
 * the package whose `primaryPackagePurpose` is `OPERATING-SYSTEM` (Trivy: `debian` `12.5`).
 *
 * Hand-written because npm has no reader of SPDX 2.x JSON documents: the registry's `spdx*`
 * packages parse or list license expressions (spdx-expression-parse, spdx-correct,
 * spdx-license-ids, spdx-satisfies; `spdx` itself is a license-expression parser). What is read
 * here is five fields per package; the purl logic is the CycloneDX reader's.
 *
 * SPDX 3.0 is JSON-LD (`@context`, `@graph`), a different model: refused by parseInventory with a
 * message, not read.
 */
import { PatchwiseError } from '../errors/index.js';
import type { PackageCache } from './package-cache.js';
import { withEpoch } from './package-version.js';
import { PurlPackageReader } from './purl-package-reader.js';
import type { EntryWording, OsEntry } from './purl-package-reader.js';
import type { SkippedCount } from './result.js';
import type { Distro, HostInventory } from './types.js';

/** SPDX JSON versions read; 2.2 introduced the JSON serialisation, 2.3 is the last 2.x. */
export const SPDX_VERSIONS: readonly string[] = ['SPDX-2.2', 'SPDX-2.3'];

/** How `parseSpdx` fills in what the document leaves out. */
export interface SpdxOptions {
  /** Host name when the document's `name` has no letter or digit. */
  readonly fallbackHost: string;
  /**
   * The host's distribution as the caller knows it (os-release). For packages whose purl has no
   * distro qualifier it outranks the document's OPERATING-SYSTEM package.
   */
  readonly distro?: Distro | undefined;
  /** Ecosystem for distribution packages whose purl has no distro qualifier (outranks `distro`). */
  readonly ecosystem?: string | undefined;
  /** Packages shared across the SBOMs of one scan, by purl. */
  readonly packageCache?: PackageCache | undefined;
}

/** One host, and the packages left out, counted by reason. */
export interface SpdxResult {
  readonly inventory: HostInventory;
  readonly skipped: SkippedCount[];
}

type Obj = Record<string, unknown>;

const OPERATING_SYSTEM = 'OPERATING-SYSTEM';

/** Trivy's `sourceInfo` for a package built from a source package. */
const BUILT_FROM = 'built package from: ';

const WORDING: EntryWording = {
  noun: 'package',
  noRelease: 'distribution package without a release (no purl distro qualifier, no OPERATING-SYSTEM package)',
};

/**
 * The SPDX 2.x document in a parsed JSON value: the value itself when it has `spdxVersion`, or
 * the `sbom` member of GitHub's REST answer (`GET /repos/{owner}/{repo}/dependency-graph/sbom`
 * wraps the document the UI's "Export SBOM" downloads as it is). Undefined for anything else.
 */
export function spdxDocumentOf(value: unknown): Obj | undefined {
  if (!isObj(value)) return undefined;
  if ('spdxVersion' in value) return value;
  const sbom = value.sbom;
  return isObj(sbom) && 'spdxVersion' in sbom && Object.keys(value).length === 1 ? sbom : undefined;
}

/** True for SPDX 3 JSON-LD: an `@context` naming the SPDX 3 vocabulary (spdx.org/rdf/3…). */
export function isSpdx3JsonLd(value: unknown): boolean {
  if (!isObj(value)) return false;
  const context = value['@context'];
  const names = Array.isArray(context) ? context : [context];
  return names.some((c) => typeof c === 'string' && /spdx\.org\/rdf\/3/.test(c));
}

/**
 * Reads a parsed SPDX 2.2/2.3 JSON document. Host: the document's `name` (when it has a letter or
 * digit: Syft names directory scans "/" or "."), else `fallbackHost`. Packages: each entry of
 * `packages` with a purl that PurlPackageReader reads; others are counted in `skipped`. The
 * OPERATING-SYSTEM package names the host's distribution and is not itself a package.
 * Throws PW_INPUT_INVALID for an unsupported `spdxVersion` and for a field of the wrong type,
 * naming its path (`packages[3].externalRefs[0].referenceLocator: must be a string`).
 */
export function parseSpdx(doc: Obj, source: string, options: SpdxOptions): SpdxResult {
  const version = doc.spdxVersion;
  if (typeof version !== 'string' || !SPDX_VERSIONS.includes(version)) {
    const hint = typeof version === 'string' && /^SPDX-3/.test(version) ? '; SPDX 3 is JSON-LD, a different format: export SPDX 2.3 JSON or CycloneDX JSON' : '';
    throw invalid(source, `SPDX spdxVersion ${JSON.stringify(version)} is not supported (supported: ${SPDX_VERSIONS.join(', ')})${hint}`);
  }
  const name = doc.name;
  if (name !== undefined && typeof name !== 'string') throw invalid(source, 'name: must be a string');
  const packages = doc.packages;
  if (packages !== undefined && !Array.isArray(packages)) throw invalid(source, 'packages: must be an array');
  const list = packages ?? [];
  const reader = new SpdxReader(source, findOs(list), options);
  if (options.packageCache && list.length > 0) reader.beginLayout(layoutKeyOf(list), list.length);
  reader.read(list);
  const host = typeof name === 'string' && /[\p{L}\p{N}]/u.test(name) ? name.trim() : options.fallbackHost;
  return {
    inventory: { host, source, distro: reader.hostDistro, packages: reader.packages },
    skipped: reader.skipped.toArray(),
  };
}

/** The first OPERATING-SYSTEM package (Trivy writes one per image: `debian` `12.5`, `alma` `9.4`). */
function findOs(packages: readonly unknown[]): OsEntry | undefined {
  for (const p of packages) {
    if (isObj(p) && p.primaryPackagePurpose === OPERATING_SYSTEM) {
      return { name: typeof p.name === 'string' ? p.name : '', version: typeof p.versionInfo === 'string' ? p.versionInfo : '' };
    }
  }
  return undefined;
}

class SpdxReader extends PurlPackageReader {
  constructor(
    private readonly source: string,
    os: OsEntry | undefined,
    options: SpdxOptions,
  ) {
    super(os, options, WORDING);
  }

  read(packages: readonly unknown[]): void {
    for (let i = 0; i < packages.length; i++) {
      const p = packages[i];
      if (!isObj(p)) throw invalid(this.source, `packages[${i}]: must be an object`);
      for (const field of STRING_FIELDS) {
        const v = p[field];
        if (v !== undefined && typeof v !== 'string') throw invalid(this.source, `packages[${i}].${field}: must be a string`);
      }
      // The distribution itself, not a package installed on it (CycloneDX's operating-system component).
      if (p.primaryPackagePurpose === OPERATING_SYSTEM) continue;
      const purl = this.purlOf(p, i);
      if (purl === '') {
        this.skipped.add('package without a purl');
        continue;
      }
      this.position = i;
      this.addPurl(p, purl);
    }
  }

  /** The package's purl ('' when it has none), checking every external reference's shape. */
  private purlOf(p: Obj, i: number): string {
    const refs = p.externalRefs;
    if (refs === undefined) return '';
    if (!Array.isArray(refs)) throw invalid(this.source, `packages[${i}].externalRefs: must be an array`);
    let purl = '';
    for (let j = 0; j < refs.length; j++) {
      const ref: unknown = refs[j];
      if (!isObj(ref)) throw invalid(this.source, `packages[${i}].externalRefs[${j}]: must be an object`);
      for (const field of REF_FIELDS) {
        if (typeof ref[field] !== 'string') throw invalid(this.source, `packages[${i}].externalRefs[${j}].${field}: must be a string`);
      }
      if (purl === '' && ref.referenceType === 'purl' && isPackageManager(ref.referenceCategory)) purl = ref.referenceLocator as string;
    }
    return purl;
  }

  protected cacheKeyOf(p: Obj, purl: string): string {
    this.entrySource(p);
    return this.srcName === undefined ? purl : `${purl}\u0000${this.srcName}\u0000${this.srcVersion ?? ''}`;
  }

  /** Trivy's `sourceInfo`: `built package from: NAME VERSION` (version `[E:]V[-R]`, epoch 0 left out). */
  protected entrySource(p: Obj): void {
    this.srcName = undefined;
    this.srcVersion = undefined;
    const info = p.sourceInfo;
    if (typeof info !== 'string' || !info.startsWith(BUILT_FROM)) return;
    const rest = info.slice(BUILT_FROM.length).trim();
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    if (name === '') return;
    this.srcName = name;
    const version = space < 0 ? '' : rest.slice(space + 1).trim();
    if (version !== '') this.srcVersion = withEpoch(version, '');
  }

  protected entryVersion(p: Obj): string {
    const v = p.versionInfo;
    return typeof v === 'string' && isInstalledVersion(v) ? v : '';
  }

  // GitHub's export lists manifest dependencies without a lock file by their constraint
  // (`>= 2.0.0`, `^4.17.0`, `7.*.*`) and a purl without a version: no installed version to assess.
  protected override withoutVersion(p: Obj, type: string): string {
    const v = p.versionInfo;
    if (typeof v === 'string' && v !== '' && !isInstalledVersion(v) && !NO_VALUE.has(v)) {
      return `${type} package with a version range, not an installed version`;
    }
    return super.withoutVersion(p, type);
  }
}

/** Package fields read as text; any other type is a schema error. */
const STRING_FIELDS = ['name', 'versionInfo', 'sourceInfo', 'primaryPackagePurpose'] as const;

/** Required fields of an external reference (SPDX 2.2 and 2.3 schemas). */
const REF_FIELDS = ['referenceCategory', 'referenceType', 'referenceLocator'] as const;

/** SPDX's placeholders for "unknown" and "none". */
const NO_VALUE = new Set(['NOASSERTION', 'NONE']);

function isPackageManager(category: unknown): boolean {
  return category === 'PACKAGE-MANAGER' || category === 'PACKAGE_MANAGER';
}

/**
 * A single version, not a constraint: no blank, comparison, wildcard or list character, and no
 * leading `~` (npm's and Ruby's tilde ranges; Debian's `~` never leads).
 */
function isInstalledVersion(v: string): boolean {
  return v !== '' && !NO_VALUE.has(v) && !/[\s<>=^*,|]/.test(v) && v.charCodeAt(0) !== 126;
}

/** Groups documents likely to come from one image: same package count, same purl in the middle. */
function layoutKeyOf(packages: readonly unknown[]): string {
  const middle = packages[packages.length >> 1];
  let purl = '';
  if (isObj(middle) && Array.isArray(middle.externalRefs)) {
    for (const ref of middle.externalRefs as unknown[]) {
      if (isObj(ref) && ref.referenceType === 'purl' && typeof ref.referenceLocator === 'string') {
        purl = ref.referenceLocator;
        break;
      }
    }
  }
  return `spdx|${packages.length}|${purl}`;
}

function invalid(source: string, message: string): PatchwiseError {
  return new PatchwiseError('PW_INPUT_INVALID', message, { input: source });
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
