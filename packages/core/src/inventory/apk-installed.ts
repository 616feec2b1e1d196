/**
 * Alpine's database of installed packages, /lib/apk/db/installed: one `X:value` line per field
 * (a single-letter key), a blank line between packages. Of the many fields (C checksum, S size,
 * T description, D dependencies, F/R files…) Patchwise reads P, V, A and o.
 */
import { malformed, splitLines } from './lines.js';
import type { DistroPackage, DistroPackagesResult } from './result.js';

/**
 * Reads an apk installed database. `P:` name, `V:` version, `A:` architecture, `o:` origin (the
 * source package: OSV's Alpine records name origins, e.g. `openssl` for `libcrypto3`); a package
 * without `o:` is its own origin. The source version is the package's version, as apk builds all
 * subpackages of an APKBUILD at one version.
 * Throws PW_INPUT_MALFORMED naming the line for a line that is not `X:value` and for a package
 * without `P:` or `V:`.
 */
export function parseApkInstalled(text: string, source: string): DistroPackagesResult {
  const packages: DistroPackage[] = [];
  const lines = splitLines(text);
  let name = '';
  let version = '';
  let arch = '';
  let origin = '';
  let start = 0;

  const finish = (): void => {
    if (start === 0) return;
    if (name === '') throw malformed(source, start, 'package has no P: (name) line');
    if (version === '') throw malformed(source, start, `package ${name} has no V: (version) line`);
    packages.push({ name, version, sourceName: origin || name, sourceVersion: version, arch: arch || undefined });
    name = version = arch = origin = '';
    start = 0;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') {
      finish();
      continue;
    }
    if (line.length < 2 || line[1] !== ':' || line[0] === ' ' || line[0] === '\t') {
      throw malformed(source, i + 1, 'expected a one-letter field such as "P:name"');
    }
    if (start === 0) start = i + 1;
    const value = line.slice(2).trim();
    switch (line[0]) {
      case 'P':
        name = value;
        break;
      case 'V':
        version = value;
        break;
      case 'A':
        arch = value;
        break;
      case 'o':
        origin = value;
        break;
      default:
      // Other fields (C, S, I, T, U, L, m, t, c, D, p, r, F, R, a, M, Z, q…) are not needed.
    }
  }
  finish();
  return { packages, skipped: [] };
}
