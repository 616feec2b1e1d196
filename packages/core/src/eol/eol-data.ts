/**
 * The EOL knowledge as one value: every known release lifecycle and the Debian security-support
 * list of each release. `loadEolData` builds it from files through an injected reader, so tests
 * and operators can feed other copies of the data; `bundledEolData` reads the copies bundled in
 * ./data (see data/README.md for where they come from and how to update them).
 */
import { readFileSync } from 'node:fs';
import { parseDistroInfoCsv } from './distro-info-csv.js';
import { compilePattern, parseSecuritySupportList } from './security-support-list.js';
import type { SecuritySupportFormat } from './security-support-list.js';
import type { ReleaseLifecycle, SecuritySupportEntry, SecuritySupportList } from './types.js';
import { parseAlpineCsv, parseEnterpriseLinuxCsv } from './vendor-lifecycles.js';

/** A security-support entry with its pattern compiled once. */
export interface CompiledSupportEntry extends SecuritySupportEntry {
  readonly matches: RegExp;
}

/** Everything the EOL functions consult. Immutable once loaded. */
export interface EolData {
  /** Keyed `${osId}:${version}` with the version as the source writes it (`debian:10`, `alpine:v3.18`). */
  readonly releases: ReadonlyMap<string, ReleaseLifecycle>;
  /** Keyed by Debian major release (`11`); entries in file order, which decides the first match. */
  readonly securitySupport: ReadonlyMap<string, SecuritySupportList & { readonly entries: readonly CompiledSupportEntry[] }>;
}

/** Reads one data file by its path relative to the data directory. */
export type EolFileReader = (path: string) => string;

/** Which file feeds which table. Paths are relative to the data directory and name the file in errors. */
export const EOL_DATA_FILES = {
  lifecycles: [
    { path: 'distro-info/debian.csv', kind: 'debian' },
    { path: 'distro-info/ubuntu.csv', kind: 'ubuntu' },
    { path: 'enterprise-linux.csv', kind: 'enterprise-linux' },
    { path: 'alpine.csv', kind: 'alpine' },
  ],
  // For bookworm the 1:12 package (bookworm's own branch) is newer than the deb12 list in the
  // 1:13 package, so it wins; every other release uses the 1:13 (trixie) unified files.
  securitySupport: [
    { release: '10', files: [{ path: 'debian-security-support/trixie/security-support.deb10', format: 'unified' }] },
    { release: '11', files: [{ path: 'debian-security-support/trixie/security-support.deb11', format: 'unified' }] },
    {
      release: '12',
      files: [
        { path: 'debian-security-support/bookworm/security-support-ended.deb12', format: 'ended' },
        { path: 'debian-security-support/bookworm/security-support-limited', format: 'limited' },
      ],
    },
    { release: '13', files: [{ path: 'debian-security-support/trixie/security-support.deb13', format: 'unified' }] },
  ],
} as const satisfies {
  lifecycles: readonly { path: string; kind: 'debian' | 'ubuntu' | 'enterprise-linux' | 'alpine' }[];
  securitySupport: readonly { release: string; files: readonly { path: string; format: SecuritySupportFormat }[] }[];
};

/**
 * Parses every file of EOL_DATA_FILES through `read`. Throws the first PW_INPUT_MALFORMED met,
 * which names the file (as its path in EOL_DATA_FILES) and the line.
 */
export function loadEolData(read: EolFileReader): EolData {
  const releases = new Map<string, ReleaseLifecycle>();
  for (const { path, kind } of EOL_DATA_FILES.lifecycles) {
    const text = read(path);
    const list =
      kind === 'enterprise-linux' ? parseEnterpriseLinuxCsv(text, path)
      : kind === 'alpine' ? parseAlpineCsv(text, path)
      : parseDistroInfoCsv(text, path, kind);
    for (const lc of list) releases.set(`${lc.osId}:${lc.version}`, lc);
  }
  const securitySupport = new Map<string, SecuritySupportList & { entries: CompiledSupportEntry[] }>();
  for (const { release, files } of EOL_DATA_FILES.securitySupport) {
    const entries: CompiledSupportEntry[] = [];
    for (const { path, format } of files) {
      for (const e of parseSecuritySupportList(read(path), path, format)) {
        // parseSecuritySupportList has already refused patterns that do not compile.
        entries.push({ ...e, matches: compilePattern(e.pattern) as RegExp });
      }
    }
    securitySupport.set(release, { release, entries });
  }
  return { releases, securitySupport };
}

let bundled: EolData | undefined;

/**
 * The data bundled in ./data, read and parsed on first use. The cache is the only module-level
 * value in eol: it holds immutable facts shipped with the code, never state that changes at run time.
 */
export function bundledEolData(): EolData {
  bundled ??= loadEolData((path) => readFileSync(new URL(`./data/${path}`, import.meta.url), 'utf8'));
  return bundled;
}
