/**
 * One entry point for every inventory format. The format is recognised from the content, never
 * from the file name: agents, archives and users name files freely (`status`, `host1.txt`).
 */
import { PatchwiseError } from '../errors/index.js';
import { canonicalEcosystem } from '../versions/index.js';
import { parseApkInstalled } from './apk-installed.js';
import { isCycloneDx, parseCycloneDx } from './cyclonedx.js';
import { distroOf, parseOsRelease } from './distro.js';
import { parseDpkgStatus } from './dpkg-status.js';
import { jsonErrorOffset, lineColumn } from './json-error.js';
import { isPatchwiseInventory, parsePatchwiseInventory } from './patchwise-json.js';
import { isSpdx3JsonLd, parseSpdx, spdxDocumentOf } from './spdx.js';
import type { DistroPackagesResult, InventoryFormat, InventoryParseResult } from './result.js';
import { parseRpmQa } from './rpm-qa.js';
import type { Distro, HostInventory } from './types.js';
import type { PackageCache } from './package-cache.js';

/** What the caller knows about the input that the input itself may not say. */
export interface InventoryParseOptions {
  /**
   * OSV ecosystem of the host's distribution packages (`Debian:12`) for inputs that do not name
   * it: dpkg status, rpm -qa and apk databases always, CycloneDX and SPDX SBOMs whose purls and
   * operating-system entries do not. It outranks `osRelease` for packages; a purl's own `distro`
   * qualifier outranks both.
   */
  readonly ecosystem?: string | undefined;
  /** The host's /etc/os-release text, read alongside the package database. */
  readonly osRelease?: string | undefined;
  /** Host name for formats that carry none (default: the source's base name without extension). */
  readonly host?: string | undefined;
  /** Deepest CycloneDX `components` nesting accepted (default MAX_COMPONENT_DEPTH, 64). */
  readonly maxDepth?: number | undefined;
  /** Share identical packages between the inventories of one scan (see PackageCache). */
  readonly packageCache?: PackageCache | undefined;
}

/**
 * Reads an inventory file's text: CycloneDX JSON (1.4–1.6), SPDX JSON (2.2, 2.3), Patchwise
 * inventory JSON, a dpkg status file, `rpm -qa` output in Patchwise's query format, or an apk installed database.
 * A leading byte-order mark and CRLF line endings are accepted.
 * Throws PatchwiseError naming `source`: PW_INPUT_FORMAT_UNKNOWN (empty, binary, or no format
 * matches), PW_INPUT_MALFORMED (bad JSON with line and column, or a bad line), PW_INPUT_INVALID
 * (schema errors; a package database with neither `ecosystem` nor `osRelease`), PW_INPUT_TOO_DEEP.
 */
export function parseInventory(text: string, source: string, options: InventoryParseOptions = {}): InventoryParseResult {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < text.length && isSpace(text.charCodeAt(start))) start++;
  if (start >= text.length) throw unknownFormat(source, 'the input is empty');
  if (looksBinary(text)) throw unknownFormat(source, 'the input is binary, not text');

  const first = text[start];
  if (first === '{' || first === '[') {
    let value: unknown;
    // JSON.parse skips leading whitespace itself; only a byte-order mark must be cut off.
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    try {
      value = JSON.parse(body);
    } catch (err) {
      throw malformedJson(body, source, err);
    }
    return parseInventoryObject(value, source, options);
  }
  if (first === '<') {
    throw unknownFormat(source, 'XML is not read (CycloneDX or SPDX XML: export the SBOM as JSON instead)');
  }

  const lineEnd = text.indexOf('\n', start);
  const firstLine = text.slice(start, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, '');
  let format: InventoryFormat;
  let result: DistroPackagesResult;
  if (/^[A-Za-z][\w-]*:( |$)/.test(firstLine) && /^Package:/im.test(text)) {
    format = 'dpkg-status';
    result = parseDpkgStatus(text, source);
  } else if (firstLine.split('\t').length === 6) {
    format = 'rpm-qa';
    result = parseRpmQa(text, source);
  } else if (/^[A-Za-z]:/.test(firstLine) && /^P:/m.test(text)) {
    format = 'apk-installed';
    result = parseApkInstalled(text, source);
  } else {
    throw unknownFormat(
      source,
      'it is not CycloneDX JSON, SPDX JSON, Patchwise inventory JSON, a dpkg status file, rpm -qa output in the documented format, or an apk installed database',
    );
  }
  const { ecosystem, distro } = hostEcosystem(format, source, options);
  const inventory: HostInventory = {
    host: options.host ?? baseName(source),
    source,
    distro,
    packages: result.packages.map((p) => ({ ecosystem, ...p })),
  };
  return { format, inventories: [inventory], skipped: result.skipped };
}

/**
 * The same as `parseInventory` for JSON the caller has already parsed (CycloneDX, SPDX 2.x or
 * Patchwise). Throws PW_INPUT_FORMAT_UNKNOWN for any other value, with a hint for SPDX 3.
 */
export function parseInventoryObject(value: unknown, source: string, options: InventoryParseOptions = {}): InventoryParseResult {
  if (isCycloneDx(value)) {
    const distro = givenDistro(source, options);
    const r = parseCycloneDx(value, source, {
      fallbackHost: options.host ?? baseName(source),
      distro,
      ecosystem: options.ecosystem === undefined ? undefined : canonicalEcosystem(options.ecosystem),
      maxDepth: options.maxDepth,
      packageCache: options.packageCache,
    });
    return { format: 'cyclonedx-json', inventories: [r.inventory], skipped: r.skipped };
  }
  if (isPatchwiseInventory(value)) {
    return { format: 'patchwise-json', inventories: [parsePatchwiseInventory(value, source, options.packageCache)], skipped: [] };
  }
  const spdx = spdxDocumentOf(value);
  if (spdx) {
    const r = parseSpdx(spdx, source, {
      fallbackHost: options.host ?? baseName(source),
      distro: givenDistro(source, options),
      ecosystem: options.ecosystem === undefined ? undefined : canonicalEcosystem(options.ecosystem),
      packageCache: options.packageCache,
    });
    return { format: 'spdx-json', inventories: [r.inventory], skipped: r.skipped };
  }
  throw unknownFormat(
    source,
    isSpdx3JsonLd(value)
      ? 'SPDX 3 JSON-LD is not read (it is a different format from SPDX 2.x JSON); export the SBOM as SPDX 2.3 JSON or CycloneDX JSON instead'
      : 'JSON that is neither a CycloneDX BOM ("bomFormat": "CycloneDX"), an SPDX 2.2/2.3 document ("spdxVersion"), nor a Patchwise inventory ("format": "patchwise-inventory")',
  );
}

const RELEASE_UNKNOWN = 'does not say which distribution release it is from';

/**
 * True for the error a package database read with neither `ecosystem` nor `osRelease` raises, so
 * that a caller can add how its own users give them (a CLI's flags, an API's fields).
 */
export function isReleaseUnknownError(err: unknown): boolean {
  return err instanceof PatchwiseError && err.code === 'PW_INPUT_INVALID' && err.message.includes(RELEASE_UNKNOWN);
}

/** For package databases: the caller's ecosystem, else the one os-release names, else an error. */
function hostEcosystem(format: InventoryFormat, source: string, options: InventoryParseOptions): { ecosystem: string; distro?: Distro } {
  const distro = givenDistro(source, options);
  // The caller's spelling may differ in case (`debian:12`); advisories use OSV's.
  const ecosystem = options.ecosystem === undefined ? distro?.ecosystem : canonicalEcosystem(options.ecosystem);
  if (ecosystem === undefined) {
    throw new PatchwiseError(
      'PW_INPUT_INVALID',
      `a ${format} inventory ${RELEASE_UNKNOWN}; give its OSV ecosystem (e.g. "Debian:12", "AlmaLinux:9", "Alpine:v3.18") or the host's /etc/os-release`,
      { input: source },
    );
  }
  return { ecosystem, distro };
}

/**
 * The distribution named by the caller's os-release. One OSV does not know is an error, unless the
 * caller also gave the ecosystem, which then decides and the os-release is only informative.
 */
function givenDistro(source: string, options: InventoryParseOptions): Distro | undefined {
  if (options.osRelease === undefined) return undefined;
  const rel = parseOsRelease(options.osRelease);
  try {
    return distroOf(rel.id, rel.versionId);
  } catch (err) {
    if (!(err instanceof PatchwiseError)) throw err;
    if (options.ecosystem !== undefined) return undefined;
    throw new PatchwiseError(err.code, `os-release: ${err.message}`, { input: source, cause: err });
  }
}

/** `hosts/web-01.status` → `web-01`; `C:\inv\db1.json` → `db1`; `status` → `status`. */
export function baseName(source: string): string {
  const slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
  const file = source.slice(slash + 1);
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file || source;
}

function malformedJson(text: string, source: string, err: unknown): PatchwiseError {
  const offset = jsonErrorOffset(text);
  const at = offset < 0 ? '' : (({ line, column }) => ` at line ${line} column ${column}`)(lineColumn(text, offset));
  // V8 quotes the offending text, line breaks included; one line reads better in a CLI or log.
  const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ');
  return new PatchwiseError('PW_INPUT_MALFORMED', `not valid JSON${at} (${reason})`, { input: source, cause: err });
}

function unknownFormat(source: string, why: string): PatchwiseError {
  return new PatchwiseError('PW_INPUT_FORMAT_UNKNOWN', `not a recognised inventory: ${why}`, { input: source });
}

/**
 * Binary data, judged on the first 8 KiB: any NUL, or more than 1% control characters and U+FFFD
 * (what invalid UTF-8 decodes to). A few U+FFFD occur in real SBOMs (mis-encoded descriptions).
 */
function looksBinary(text: string): boolean {
  const end = Math.min(text.length, 8192);
  let odd = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) odd++;
  }
  return odd * 100 > end;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
