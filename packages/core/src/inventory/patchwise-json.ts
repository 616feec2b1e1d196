/**
 * Patchwise's own inventory document, sent by the agent (schema: docs/inventory-format.md).
 * Validation is hand-written rather than a schema library: the document is small, and every error
 * names the JSON path of the offending field (`packages[3].version: must be a non-empty string`).
 */
import { PatchwiseError, isPatchwiseError } from '../errors/index.js';
import { canonicalEcosystem } from '../versions/index.js';
import { distroOf } from './distro.js';
import { normalizeName } from './names.js';
import { sharedPackages, type PackageCache } from './package-cache.js';
import type { Distro, HostAttributes, HostInventory, InstalledPackage } from './types.js';

/** The `format` value that identifies a Patchwise inventory. */
export const PATCHWISE_INVENTORY_FORMAT = 'patchwise-inventory';
/** Schema versions this reader accepts. */
export const PATCHWISE_INVENTORY_VERSIONS: readonly number[] = [1];

type Obj = Record<string, unknown>;

/** True when a parsed JSON value says it is a Patchwise inventory (whatever its version). */
export function isPatchwiseInventory(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && (value as Obj).format === PATCHWISE_INVENTORY_FORMAT;
}

/**
 * Validates and reads a Patchwise inventory (version 1). Packages without `ecosystem` take the
 * host's distribution ecosystem (from `host.os`); names are normalised per ecosystem.
 * Throws PW_INPUT_INVALID naming the field path, e.g. `host.attributes.tier: must be 0, 1, 2 or 3`.
 * Unknown fields are errors too: a misspelt `internetfacing` must not silently lower a risk score.
 * With a `cache`, equal packages of different documents are one shared object.
 */
export function parsePatchwiseInventory(doc: Obj, source: string, cache?: PackageCache): HostInventory {
  const v = new Validator(source);
  v.keys(doc, '', ['format', 'version', 'host', 'packages']);
  if (doc.format !== PATCHWISE_INVENTORY_FORMAT) v.fail('format', `must be "${PATCHWISE_INVENTORY_FORMAT}"`);
  if (!PATCHWISE_INVENTORY_VERSIONS.includes(doc.version as number)) {
    v.fail('version', `must be one of ${PATCHWISE_INVENTORY_VERSIONS.join(', ')} (got ${JSON.stringify(doc.version)})`);
  }
  const host = v.object(doc.host, 'host');
  v.keys(host, 'host', ['name', 'machineId', 'os', 'kernel', 'attributes']);
  const name = v.string(host.name, 'host.name');
  const machineId = v.optionalString(host.machineId, 'host.machineId');
  const runningKernel = v.optionalString(host.kernel, 'host.kernel');
  const distro = readOs(host.os, v);
  let lastGiven: string | undefined;
  let lastCanonical: string | undefined;
  const attributes = host.attributes === undefined ? undefined : readAttributes(host.attributes, v);

  if (!Array.isArray(doc.packages)) v.fail('packages', 'must be an array');
  const read: InstalledPackage[] = [];
  // Per package, field paths are spelled only on failure: building them eagerly was most of what
  // reading a thousand-package upload allocated (seven strings a package).
  (doc.packages as unknown[]).forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) v.fail(`packages[${i}]`, 'must be an object');
    const p = raw as Obj;
    for (const key in p) if (!PACKAGE_FIELDS.includes(key)) v.fail(`packages[${i}].${key}`, `unknown field (allowed: ${PACKAGE_FIELDS.join(', ')})`);
    const given = optionalAt(v, p.ecosystem, i, 'ecosystem');
    // Packages of one list mostly share one spelling: canonicalised once per run of it.
    if (given !== undefined && given !== lastGiven) [lastGiven, lastCanonical] = [given, canonicalEcosystem(given)];
    const ecosystem = (given === undefined ? undefined : lastCanonical) ?? distro.ecosystem ?? v.fail(`packages[${i}].ecosystem`, `is required: ${distro.why}`);
    const pkg: InstalledPackage = {
      ecosystem,
      name: normalizeName(ecosystem, stringAt(v, p.name, i, 'name')),
      version: stringAt(v, p.version, i, 'version'),
      sourceName: optionalAt(v, p.sourceName, i, 'sourceName'),
      sourceVersion: optionalAt(v, p.sourceVersion, i, 'sourceVersion'),
      arch: optionalAt(v, p.arch, i, 'arch'),
    };
    read.push(pkg);
  });
  // Validated first, shared after: hosts that carry the same package get the same (read-only)
  // object, so matching and reporting answer it from their per-object memo.
  const packages = cache ? sharedPackages(cache, read) : read;
  return { host: name, source, machineId, distro: distro.value, attributes, runningKernel, packages };
}

const PACKAGE_FIELDS: readonly string[] = ['ecosystem', 'name', 'version', 'arch', 'sourceName', 'sourceVersion'];

/** `packages[i].field` as a non-empty string (its path built only to name it in the error). */
function stringAt(v: Validator, value: unknown, i: number, field: string): string {
  return isNonEmptyString(value) ? value : v.fail(`packages[${i}].${field}`, 'must be a non-empty string');
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

function optionalAt(v: Validator, value: unknown, i: number, field: string): string | undefined {
  return value === undefined ? undefined : stringAt(v, value, i, field);
}

/** `host.os` → the distribution, or why packages must name their ecosystem themselves. */
function readOs(raw: unknown, v: Validator): { value?: Distro; ecosystem?: string; why: string } {
  if (raw === undefined) return { why: 'host.os is absent' };
  const os = v.object(raw, 'host.os');
  v.keys(os, 'host.os', ['id', 'versionId']);
  const id = v.string(os.id, 'host.os.id');
  const versionId = v.optionalString(os.versionId, 'host.os.versionId') ?? '';
  try {
    const value = distroOf(id, versionId);
    return { value, ecosystem: value.ecosystem, why: '' };
  } catch (err) {
    if (!isPatchwiseError(err)) throw err;
    // A known distribution with a bad version is the document's error; an unknown one only means
    // its distribution packages cannot be matched, while its PyPI or npm packages still can.
    if (err.code !== 'PW_ECOSYSTEM_UNKNOWN') v.fail('host.os.versionId', err.message);
    return { why: `host.os "${id}" has no OSV ecosystem` };
  }
}

function readAttributes(raw: unknown, v: Validator): HostAttributes {
  const a = v.object(raw, 'host.attributes');
  v.keys(a, 'host.attributes', ['tier', 'internetFacing', 'environment', 'owner']);
  if (a.tier !== undefined && a.tier !== 0 && a.tier !== 1 && a.tier !== 2 && a.tier !== 3) {
    v.fail('host.attributes.tier', `must be 0, 1, 2 or 3 (got ${JSON.stringify(a.tier)})`);
  }
  if (a.internetFacing !== undefined && typeof a.internetFacing !== 'boolean') {
    v.fail('host.attributes.internetFacing', 'must be true or false');
  }
  return {
    tier: a.tier,
    internetFacing: a.internetFacing,
    environment: v.optionalString(a.environment, 'host.attributes.environment'),
    owner: v.optionalString(a.owner, 'host.attributes.owner'),
  };
}

class Validator {
  constructor(private readonly source: string) {}

  fail(path: string, message: string): never {
    throw new PatchwiseError('PW_INPUT_INVALID', `${path || '(document)'}: ${message}`, { input: this.source });
  }

  object(value: unknown, path: string): Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'must be an object');
    return value as Obj;
  }

  keys(obj: Obj, path: string, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        this.fail(path ? `${path}.${key}` : key, `unknown field (allowed: ${allowed.join(', ')})`);
      }
    }
  }

  string(value: unknown, path: string): string {
    return isNonEmptyString(value) ? value : this.fail(path, 'must be a non-empty string');
  }

  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined ? undefined : this.string(value, path);
  }
}
