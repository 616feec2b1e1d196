import { PatchwiseError } from '../errors/index.js';
import { compareKeys, describeChar, isDigit, keyFromCodes, pushNumber } from './order-key.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * Alpine (apk-tools 2.x/3.x) versions:
 * `digits{.digits}...{letter}{_suffix{digits}}...{~hash}{-rdigits}`, for example
 * `1.2.3`, `2.8.0b_rc2`, `1.0_p10-r3`, `0.1_git20240101_pre1`, `1.0~1a2b3c-r0`.
 *
 * The grammar and order are apk-tools' (src/version.c), restated:
 * - the version is a sequence of tokens: the first number, `.number`s, at most one lower-case
 *   letter, `_suffix` with an optional number (several allowed), one `~` hexadecimal commit
 *   hash, one `-r` revision number; in that order, nothing else (a letter ends the dotted part);
 * - suffixes `alpha beta pre rc` sort before the release, `cvs svn git hg p` after it;
 * - tokens of the same kind compare by value: numbers numerically, except a `.number` where
 *   either side starts with `0`, which compares as a string (Gentoo's rule: `1.01 < 1.1`,
 *   `1.0 < 1.00`); letters, suffixes and hashes in their own order;
 * - when the kinds differ, a pre-release suffix is older than anything, otherwise the version
 *   whose token comes later in the grammar (or that has ended) is older: `1.0 < 1.0.1`,
 *   `1.0_rc1 < 1.0 < 1.0_p1 < 1.0-r1`.
 * Strings apk_version_validate (apk-tools 3) rejects throw. Numbers are exact at any length,
 * where apk-tools accumulates them in a fixed-width integer (32 or 64 bits by version): the two
 * can differ only for numbers that do not fit in one.
 */
export interface ApkVersion {
  readonly text: string;
  /** Opaque order key: `compareKeys` on keys is apk's order. */
  readonly orderKey: string;
}

// Token kinds in the order key. Their order is the order of two versions whose tokens differ in
// kind at one position (see the rules above): pre-release suffixes, end, revision, hash,
// suffix number, post-release suffixes, letter, zero-led number, number.
const SUFFIX_CODES: ReadonlyMap<string, number> = new Map([
  ['alpha', 0x01],
  ['beta', 0x02],
  ['pre', 0x03],
  ['rc', 0x04],
  ['cvs', 0x09],
  ['svn', 0x0a],
  ['git', 0x0b],
  ['hg', 0x0c],
  ['p', 0x0d],
]);
const END = 0x05;
const REVISION = 0x06;
const HASH = 0x07;
const SUFFIX_NUMBER = 0x08;
const LETTER = 0x0e;
/** A `.number` starting with 0: compared as a string with other such numbers, below all others. */
const ZERO_LED = 0x0f;
const NUMBER = 0x10;
/** Ends a string-compared run: below every digit and letter, so a prefix sorts first. */
const RUN_END = 0x01;

// Grammar states, in order: a token may only follow a token of an earlier or the same state.
const S_DIGITS = 0;
const S_LETTER = 1;
const S_SUFFIX = 2;
const S_HASH = 3;
const S_REVISION = 4;

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid apk version: ${reason}`, { input });
}

function isLower(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

function isHex(code: number): boolean {
  return isDigit(code) || (code >= 0x61 && code <= 0x66);
}

/** Parses an apk version; throws PW_VERSION_INVALID naming the string and the reason. */
function parseApk(input: string): ApkVersion {
  if (input === '') throw invalid(input, 'version string is empty');
  const codes: number[] = [];
  let i = 0;
  while (i < input.length && isDigit(input.charCodeAt(i))) i++;
  if (i === 0) throw invalid(input, 'a version starts with a digit');
  // The first number is always numeric, even with leading zeros (apk: `006 > 1.0.0`).
  codes.push(NUMBER);
  pushNumber(codes, input, 0, i);

  let state = S_DIGITS;
  while (i < input.length) {
    const code = input.charCodeAt(i);
    if (code === 0x2e) {
      // `.number`: only in the dotted part, before any letter or suffix
      if (state !== S_DIGITS) throw invalid(input, `'.' after ${describeState(state)}`);
      const start = ++i;
      while (i < input.length && isDigit(input.charCodeAt(i))) i++;
      if (i === start) throw invalid(input, "'.' is not followed by a number");
      if (input.charCodeAt(start) === 0x30) {
        codes.push(ZERO_LED);
        for (let k = start; k < i; k++) codes.push(input.charCodeAt(k));
        codes.push(RUN_END);
      } else {
        codes.push(NUMBER);
        pushNumber(codes, input, start, i);
      }
    } else if (isLower(code)) {
      if (state !== S_DIGITS) throw invalid(input, `letter '${input.charAt(i)}' after ${describeState(state)}`);
      codes.push(LETTER, code);
      i++;
      state = S_LETTER;
    } else if (code === 0x5f) {
      if (state > S_SUFFIX) throw invalid(input, `'_' suffix after ${describeState(state)}`);
      const start = ++i;
      while (i < input.length && isLower(input.charCodeAt(i))) i++;
      const name = input.slice(start, i);
      const suffix = SUFFIX_CODES.get(name);
      if (suffix === undefined) {
        throw invalid(input, name === '' ? "'_' is not followed by a suffix name" : `unknown suffix '_${name}'`);
      }
      codes.push(suffix);
      const digits = i;
      while (i < input.length && isDigit(input.charCodeAt(i))) i++;
      if (i > digits) {
        codes.push(SUFFIX_NUMBER);
        pushNumber(codes, input, digits, i);
      }
      state = S_SUFFIX;
    } else if (code === 0x7e) {
      if (state >= S_HASH) throw invalid(input, `'~' commit hash after ${describeState(state)}`);
      const start = ++i;
      while (i < input.length && isHex(input.charCodeAt(i))) i++;
      if (i === start) throw invalid(input, "'~' is not followed by a lower-case hexadecimal commit hash");
      codes.push(HASH);
      for (let k = start; k < i; k++) codes.push(input.charCodeAt(k));
      codes.push(RUN_END);
      state = S_HASH;
    } else if (code === 0x2d) {
      if (state >= S_REVISION) throw invalid(input, 'a second revision');
      if (input.charCodeAt(i + 1) !== 0x72) throw invalid(input, "'-' is not followed by 'r' and a revision number");
      i += 2;
      const start = i;
      while (i < input.length && isDigit(input.charCodeAt(i))) i++;
      if (i === start) throw invalid(input, "'-r' is not followed by a revision number");
      codes.push(REVISION);
      pushNumber(codes, input, start, i);
      state = S_REVISION;
    } else {
      const what = isDigit(code) ? 'a digit right after a letter' : `invalid character ${describeChar(String.fromCodePoint(input.codePointAt(i) ?? code))}`;
      throw invalid(input, what);
    }
  }
  codes.push(END);
  return { text: input, orderKey: keyFromCodes(codes) };
}

function describeState(state: number): string {
  switch (state) {
    case S_LETTER:
      return 'the letter';
    case S_SUFFIX:
      return 'a suffix';
    case S_HASH:
      return 'the commit hash';
    default:
      return 'the revision';
  }
}

/**
 * apk's fuzzy match (`~` in a dependency such as `foo~3.6`): `a` matches `b` when `b`'s tokens
 * are a prefix of `a`'s (`3.6.9_p1 ~ 3.6`, but not `3.8 ~ 3.8.1`). Used for apk's `~` lines in
 * version.data and for Alpine dependency constraints; not part of the total order.
 */
export function apkFuzzyMatches(a: ApkVersion, b: ApkVersion): boolean {
  // b's key without its END code is a token-prefix of a's key exactly when a's key starts with it.
  return a.orderKey.startsWith(b.orderKey.slice(0, -1));
}

/**
 * The apk version scheme (Alpine, Wolfi, Chainguard). Parse once: `compare` is one string
 * comparison. Proven on apk-tools' own vectors in packages/core/test/oracle/version-vectors.test.ts.
 */
export const apkScheme: VersionScheme<ApkVersion> = {
  id: 'apk',
  parse: parseApk,
  compare(a: ApkVersion, b: ApkVersion): number {
    return compareKeys(a.orderKey, b.orderKey);
  },
};
