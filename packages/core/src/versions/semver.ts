import { SemVer } from 'semver';
import { PatchwiseError } from '../errors/index.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * SemVer 2.0.0 (npm, crates.io, Go modules) through the `semver` npm package, the
 * implementation npm itself uses, in its strict mode (`loose: false`):
 * - accepted: `MAJOR.MINOR.PATCH[-prerelease][+build]` without leading zeros, plus what
 *   node-semver's strict parser tolerates: one leading `v` (`v1.2.3`, Go's spelling) and
 *   surrounding whitespace;
 * - rejected: everything `loose` would add (`=1.2.3`, `1.2.3beta`, `01.2.3`, `v 1.2.3`), partial
 *   versions (`1.2`), strings over 256 characters, major/minor/patch above 2^53-1, and numeric
 *   prerelease identifiers of 2^53-1 or more (node-semver would compare those as lossy floats).
 * Loose mode is not used because advisories name exact versions; a loose spelling in an
 * inventory is a data problem to report, not to guess around.
 *
 * Order: SemVer 2 precedence; build metadata is ignored (`1.0.0+a` equals `1.0.0+b`).
 */
export type SemverVersion = SemVer;

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid SemVer version: ${reason}`, { input });
}

function parseSemver(input: string): SemVer {
  if (input.trim() === '') throw invalid(input, 'version string is empty');
  let parsed: SemVer;
  try {
    parsed = new SemVer(input, { loose: false });
  } catch (err) {
    // node-semver throws TypeError("Invalid Version: ...") and a few specific messages.
    const message = err instanceof Error ? err.message : String(err);
    throw invalid(input, message.startsWith('Invalid Version') ? 'not MAJOR.MINOR.PATCH[-prerelease][+build]' : message);
  }
  for (const id of parsed.prerelease) {
    if (typeof id === 'string' && /^[0-9]+$/.test(id)) {
      throw invalid(input, `numeric prerelease identifier ${id} is 2^53-1 or more (node-semver would compare it inexactly)`);
    }
  }
  return parsed;
}

/**
 * The SemVer scheme (npm, crates.io, Go). `compare` is node-semver's precedence without build
 * metadata. Checked on node-semver's own fixtures in packages/core/test/oracle/version-vectors.test.ts.
 */
export const semverScheme: VersionScheme<SemverVersion> = {
  id: 'semver',
  parse: parseSemver,
  compare(a: SemVer, b: SemVer): number {
    return a.compareMain(b) || a.comparePre(b);
  },
};
