/**
 * dpkg's database of installed packages, /var/lib/dpkg/status: deb822 stanzas separated by blank
 * lines, `Field: value` lines, continuation lines starting with a space or tab (Description,
 * Conffiles). The distribution is not recorded there; the caller supplies the ecosystem.
 */
import { malformed, splitLines } from './lines.js';
import { SkipTally } from './result.js';
import type { DistroPackage, DistroPackagesResult } from './result.js';

/**
 * Reads a dpkg status file. A package is kept when its Status (`want flag state`) has state
 * `installed`, whatever the want: `hold ok installed` and `deinstall ok installed` packages are
 * still on disk, and a held package is exactly the one that misses security updates. Every other
 * state (`config-files`, `half-installed`, `unpacked`, `half-configured`, `triggers-awaited`,
 * `triggers-pending`, `not-installed`) is counted in `skipped` as `dpkg state <state>`.
 *
 * Source: `Source: name` means the source version equals the binary version; `Source: name (ver)`
 * gives it (binNMUs, `+b1`); no Source field means the package is its own source.
 * Throws PW_INPUT_MALFORMED naming the line for a line that is not `Field: value`, a stanza
 * without `Package`, or an installed package without `Version`.
 */
export function parseDpkgStatus(text: string, source: string): DistroPackagesResult {
  const packages: DistroPackage[] = [];
  const skipped = new SkipTally();
  const lines = splitLines(text);
  let fields = new Map<string, string>();
  let stanzaLine = 0;
  let lastField = '';

  const finish = (): void => {
    if (fields.size === 0) return;
    const pkg = stanzaToPackage(fields, stanzaLine, source, skipped);
    if (pkg) packages.push(pkg);
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
  return { packages, skipped: skipped.toArray() };
}

function stanzaToPackage(
  fields: Map<string, string>,
  line: number,
  source: string,
  skipped: SkipTally,
): DistroPackage | undefined {
  const name = fields.get('Package');
  if (!name) throw malformed(source, line, 'stanza has no Package field');
  const status = fields.get('Status');
  if (status === undefined) {
    skipped.add('dpkg stanza without Status');
    return undefined;
  }
  const state = status.split(/\s+/)[2] ?? status;
  if (state !== 'installed') {
    skipped.add(`dpkg state ${state}`);
    return undefined;
  }
  const version = fields.get('Version');
  if (!version) throw malformed(source, line, `installed package ${name} has no Version`);
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
    default:
      return name;
  }
}
