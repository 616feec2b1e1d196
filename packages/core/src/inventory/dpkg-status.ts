/**
 * dpkg's database of installed packages, /var/lib/dpkg/status: deb822 stanzas separated by blank
 * lines, `Field: value` lines, continuation lines starting with a space or tab (Description,
 * Conffiles). The distribution is not recorded there; the caller supplies the ecosystem.
 */
import { malformed, splitLines } from './lines.js';
import { SkipTally } from './result.js';
import type { DistroPackage, DistroPackagesResult } from './result.js';

/**
 * The dpkg states in which a package's files are on disk (wholly or partly), so its version is
 * the one to assess: `installed`, and the states an interrupted or unfinished apt/dpkg run leaves
 * (`unpacked`, `half-configured`, `half-installed`, `triggers-awaited`, `triggers-pending`). Leaving
 * those out would make the server close the findings of a vulnerable version still on disk.
 * `config-files` (removed, only configuration left) and `not-installed` are not on disk.
 */
export const DPKG_ON_DISK_STATES: ReadonlySet<string> = new Set([
  'installed',
  'unpacked',
  'half-configured',
  'half-installed',
  'triggers-awaited',
  'triggers-pending',
]);

/** One deb822 stanza of a dpkg database file, with where it starts (for errors). */
export interface DpkgStanza {
  readonly fields: ReadonlyMap<string, string>;
  readonly line: number;
  readonly source: string;
}

/**
 * Reads a dpkg status file. A package is kept when its Status (`want flag state`) has a state in
 * DPKG_ON_DISK_STATES, whatever the want: `hold ok installed` and `deinstall ok installed`
 * packages are still on disk, and a held package is exactly the one that misses security updates.
 * `config-files` and `not-installed` are counted in `skipped` as `dpkg state <state>`.
 *
 * Source: `Source: name` means the source version equals the binary version; `Source: name (ver)`
 * gives it (binNMUs, `+b1`); no Source field means the package is its own source.
 * Throws PW_INPUT_MALFORMED naming the line for a line that is not `Field: value`, a stanza
 * without `Package`, or a kept package without `Version`.
 */
export function parseDpkgStatus(text: string, source: string): DistroPackagesResult {
  return dpkgPackagesOf(parseDpkgStanzas(text, source));
}

/**
 * The packages of stanzas (from one status file, or a database assembled by the caller).
 * `assumeInstalled`: a stanza without Status counts as `installed` (distroless images write
 * `/var/lib/dpkg/status.d/<package>` files without one); otherwise it is skipped and counted.
 */
export function dpkgPackagesOf(stanzas: readonly DpkgStanza[], options: { readonly assumeInstalled?: boolean } = {}): DistroPackagesResult {
  const packages: DistroPackage[] = [];
  const skipped = new SkipTally();
  for (const stanza of stanzas) {
    const pkg = stanzaToPackage(stanza, skipped, options.assumeInstalled === true);
    if (pkg) packages.push(pkg);
  }
  return { packages, skipped: skipped.toArray() };
}

/**
 * The stanzas of a dpkg database file (status, a status.d entry, an updates journal entry), in
 * file order. Throws PW_INPUT_MALFORMED naming `source` and the line for a line that is not
 * `Field: value`, a stanza without `Package`, or a continued Package, Version or Status.
 */
export function parseDpkgStanzas(text: string, source: string): DpkgStanza[] {
  const stanzas: DpkgStanza[] = [];
  const lines = splitLines(text);
  let fields = new Map<string, string>();
  let stanzaLine = 0;
  let lastField = '';

  const finish = (): void => {
    if (fields.size === 0) return;
    if (!fields.get('Package')) throw malformed(source, stanzaLine, 'stanza has no Package field');
    stanzas.push({ fields, line: stanzaLine, source });
    fields = new Map();
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') {
      finish();
      continue;
    }
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      // Continuation of a multi-line field; only single-line fields are used, so it is skipped.
      if (fields.size === 0) throw malformed(source, i + 1, 'continuation line outside a stanza');
      if (lastField === 'Package' || lastField === 'Version' || lastField === 'Status') {
        throw malformed(source, i + 1, `field ${lastField} cannot span lines`);
      }
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(source, i + 1, 'expected "Field: value"');
    if (fields.size === 0) stanzaLine = i + 1;
    // Field names are case-insensitive in deb822; dpkg writes them capitalised.
    lastField = canonicalField(line.slice(0, colon));
    fields.set(lastField, line.slice(colon + 1).trim());
  }
  finish();
  return stanzas;
}

function stanzaToPackage(stanza: DpkgStanza, skipped: SkipTally, assumeInstalled: boolean): DistroPackage | undefined {
  const { fields, line, source } = stanza;
  const name = fields.get('Package') as string;
  const status = fields.get('Status') ?? (assumeInstalled ? 'install ok installed' : undefined);
  if (status === undefined) {
    skipped.add('dpkg stanza without Status');
    return undefined;
  }
  const state = status.split(/\s+/)[2] ?? status;
  if (!DPKG_ON_DISK_STATES.has(state)) {
    skipped.add(`dpkg state ${state}`);
    return undefined;
  }
  const version = fields.get('Version');
  if (!version) throw malformed(source, line, `${state} package ${name} has no Version`);
  const arch = fields.get('Architecture') || undefined;
  const [sourceName, sourceVersion] = parseSourceField(fields.get('Source'), name, version);
  return { name, version, sourceName, sourceVersion, arch };
}

/** `Source: name` or `Source: name (version)`; absent means the package is its own source. */
export function parseSourceField(
  value: string | undefined,
  binaryName: string,
  binaryVersion: string,
): [name: string, version: string] {
  if (!value) return [binaryName, binaryVersion];
  const m = /^(\S+)\s*(?:\(\s*([^)\s]+)\s*\))?$/.exec(value);
  if (!m) return [value, binaryVersion];
  return [m[1] as string, m[2] ?? binaryVersion];
}

function canonicalField(name: string): string {
  const lower = name.toLowerCase();
  switch (lower) {
    case 'package':
      return 'Package';
    case 'status':
      return 'Status';
    case 'version':
      return 'Version';
    case 'architecture':
      return 'Architecture';
    case 'source':
      return 'Source';
    case 'multi-arch':
      return 'Multi-Arch';
    default:
      return name;
  }
}
