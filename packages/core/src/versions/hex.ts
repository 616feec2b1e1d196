import { PatchwiseError, isPatchwiseError } from '../errors/index.js';
import { describeChar, isDigit, isLetter } from './order-key.js';
import { semverScheme, type SemverVersion } from './semver.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * Hex (Elixir and Erlang packages): Elixir's `Version`, which Hex uses for every package version.
 * It is strict SemVer 2.0.0, and on the strings it accepts node-semver's strict mode gives the
 * same answers (packages/core/test/oracle/hex-oracle.test.ts checks both against Elixir), so this
 * scheme is the SemVer scheme behind a stricter door. node-semver also accepts a leading `v` and
 * surrounding whitespace (any JavaScript whitespace, even U+00A0 and U+FEFF), which
 * `Version.parse` refuses; those are refused here first.
 *
 * Elixir reads numbers of any size and strings of any length; node-semver stops at 2^53-1 and 256
 * characters, so such versions are refused with node-semver's reason (a deliberate difference
 * no real Hex release meets, listed in docs/versions.md and named by the oracle test).
 *
 * Order: SemVer 2 precedence, build metadata ignored (`Version.compare("1.0.0+a", "1.0.0+b")`
 * is `:eq`).
 */
export type HexVersion = SemverVersion;

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid Hex version: ${reason}`, { input });
}

/** `Version.parse` needs a digit first and an identifier character ([0-9A-Za-z-]) last. */
function isIdentifierChar(code: number): boolean {
  return isDigit(code) || isLetter(code) || code === 0x2d;
}

function parseHex(input: string): HexVersion {
  if (input === '') throw invalid(input, 'version string is empty');
  if (!isDigit(input.charCodeAt(0))) {
    throw invalid(input, `starts with ${describeChar(String.fromCodePoint(input.codePointAt(0) ?? 0))}, not a digit (Elixir takes no 'v' and no surrounding whitespace)`);
  }
  const last = input.charCodeAt(input.length - 1);
  if (!isIdentifierChar(last)) {
    // A lone low surrogate would render as garbage: name the code unit itself.
    throw invalid(input, `ends with ${describeChar(String.fromCharCode(last))}, not a letter, digit or '-'`);
  }
  try {
    return semverScheme.parse(input);
  } catch (err) {
    // Same reason, in this ecosystem's name.
    if (isPatchwiseError(err) && err.code === 'PW_VERSION_INVALID') throw invalid(input, err.message.replace(/^.*invalid SemVer version: /s, ''));
    throw err;
  }
}

/** The Hex scheme: Elixir's `Version.parse` and `Version.compare`. */
export const hexScheme: VersionScheme<HexVersion> = {
  id: 'hex',
  parse: parseHex,
  compare: (a, b) => semverScheme.compare(a, b),
};
