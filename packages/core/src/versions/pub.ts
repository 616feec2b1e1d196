import { PatchwiseError } from '../errors/index.js';
import { compareKeys, describeChar, isDigit, isLetter, keyFromCodes, pushNumber } from './order-key.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * Pub (Dart and Flutter packages): versions as package:pub_semver 2 reads them (`Version.parse`)
 * and orders them (`Version.compareTo`, the order of version ranges; `Version.prioritize`, which
 * puts every pre-release below every release, is only pub's preference when solving).
 * No Dart runs here, so the rules come from pub_semver's source and tests (docs/versions.md).
 *
 * Grammar: `MAJOR.MINOR.PATCH[-pre][+build]`; numbers are digits, leading zeros allowed
 * (`01.2.3` = `1.2.3`) up to 2^63-1 (Dart's `int`; pub refuses larger); pre-release and build are
 * `.`-separated non-empty identifiers of letters, digits and `-`. No surrounding whitespace.
 *
 * Order: major, minor, patch; a pre-release before its release; then pre-release identifiers;
 * then, unlike SemVer, build metadata is ordered: no build before any build, then build
 * identifiers. Identifiers compare position by position: a list that has ended first; an
 * identifier that is a number (`int.tryParse`: digits, up to 2^63-1, leading zeros ignored)
 * before a word; numbers by value, words by code unit (`RC` < `rc`, `a` < `ab`).
 *
 * Deliberately refused, although pub_semver accepts them: separators other than `.` in
 * MAJOR.MINOR.PATCH (its pattern leaves the dots unescaped, so it reads `1x2x3` as 1.2.3 and even
 * `1.234` as 1.2.4), and identifiers spelled as signed or hexadecimal numbers (`-1`, `0x1f`), which
 * Dart's `int.tryParse` turns into numbers: no real release is spelled so, and ordering them would
 * be guessing.
 */
export interface PubVersion {
  /** The version as written. */
  readonly text: string;
  /** Opaque order key: `compareKeys` on keys is pub_semver's `compareTo`. */
  readonly orderKey: string;
}

// Key layout: three numbers; PRE then the pre-release list, or RELEASE; then the build list.
// A list is its identifiers then LIST_END; a number is NUMBER then its encoding, a word is WORD,
// its characters (all >= '-') and WORD_END. LIST_END < NUMBER < WORD: a list that has ended comes
// first, numbers before words. An empty build list is LIST_END alone: no build comes first.
const WORD_END = 0x01;
const PRE = 0x02;
const RELEASE = 0x03;
const LIST_END = 0x10;
const NUMBER = 0x11;
const WORD = 0x12;

const INT64_MAX = '9223372036854775807';

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid Pub version: ${reason}`, { input });
}

function isIdentifierChar(code: number): boolean {
  return isDigit(code) || isLetter(code) || code === 0x2d;
}

/** Whether the digits `text[start, end)` are at most 2^63-1, Dart's largest `int`. */
function fitsInt64(text: string, start: number, end: number): boolean {
  while (start < end - 1 && text.charCodeAt(start) === 0x30) start++;
  const digits = end - start;
  return digits < INT64_MAX.length || (digits === INT64_MAX.length && text.slice(start, end) <= INT64_MAX);
}

function describeAt(text: string, i: number): string {
  return describeChar(String.fromCodePoint(text.codePointAt(i) ?? 0));
}

/**
 * `int.tryParse` also reads a sign and a `0x` prefix: `-1` is -1 and `0x1f` is 31, so pub_semver
 * orders them as numbers. Those spellings are refused (see the type's comment).
 */
function readsAsSignedOrHex(text: string, start: number, end: number): boolean {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  const signed = i > start;
  const c0 = text.charCodeAt(i);
  const c1 = text.charCodeAt(i + 1) | 0x20;
  if (c0 === 0x30 && c1 === 0x78 && i + 2 < end) {
    for (let j = i + 2; j < end; j++) {
      const c = text.charCodeAt(j);
      if (!isDigit(c) && !((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66)) return false;
    }
    return true;
  }
  if (!signed || i === end) return false;
  for (let j = i; j < end; j++) if (!isDigit(text.charCodeAt(j))) return false;
  return true;
}

/** Reads MAJOR, MINOR and PATCH into `codes`; returns the index after PATCH. */
function readNumbers(input: string, codes: number[]): number {
  let i = 0;
  for (const [n, name] of [[0, 'major'], [1, 'minor'], [2, 'patch']] as const) {
    if (n > 0) {
      if (input.charCodeAt(i) !== 0x2e) throw invalid(input, 'must start with MAJOR.MINOR.PATCH (three numbers separated by dots)');
      i++;
    }
    const start = i;
    while (i < input.length && isDigit(input.charCodeAt(i))) i++;
    if (i === start) throw invalid(input, 'must start with MAJOR.MINOR.PATCH (three numbers separated by dots)');
    if (!fitsInt64(input, start, i)) throw invalid(input, `${name} number ${input.slice(start, i)} is above 2^63-1 (Dart's int), which pub refuses`);
    pushNumber(codes, input, start, i);
  }
  return i;
}

/** Reads the `.`-separated identifiers starting at `i` into `codes`, then LIST_END; returns the index after them. */
function readIdentifiers(input: string, i: number, what: 'pre-release' | 'build', codes: number[]): number {
  for (;;) {
    const start = i;
    while (i < input.length && isIdentifierChar(input.charCodeAt(i))) i++;
    if (i === start) {
      const where = i < input.length ? `before ${describeAt(input, i)}` : 'at the end';
      throw invalid(input, `has an empty ${what} identifier ${where} (identifiers are letters, digits and '-')`);
    }
    if (readsAsSignedOrHex(input, start, i)) {
      throw invalid(input, `${what} identifier '${input.slice(start, i)}' is one Dart reads as a signed or hexadecimal number; such spellings are refused`);
    }
    let numeric = true;
    for (let j = start; j < i && numeric; j++) numeric = isDigit(input.charCodeAt(j));
    if (numeric && fitsInt64(input, start, i)) {
      codes.push(NUMBER);
      pushNumber(codes, input, start, i);
    } else {
      // Past 2^63-1 int.tryParse gives up and the identifier stays a string, as here.
      codes.push(WORD);
      for (let j = start; j < i; j++) codes.push(input.charCodeAt(j));
      codes.push(WORD_END);
    }
    if (input.charCodeAt(i) !== 0x2e) break;
    i++;
  }
  codes.push(LIST_END);
  return i;
}

function parsePub(input: string): PubVersion {
  if (input === '') throw invalid(input, 'version string is empty');
  const codes: number[] = [];
  let i = readNumbers(input, codes);
  if (input.charCodeAt(i) === 0x2d) {
    codes.push(PRE);
    i = readIdentifiers(input, i + 1, 'pre-release', codes);
  } else {
    codes.push(RELEASE);
  }
  if (input.charCodeAt(i) === 0x2b) {
    i = readIdentifiers(input, i + 1, 'build', codes);
  } else {
    codes.push(LIST_END);
  }
  if (i < input.length) {
    throw invalid(input, `contains ${describeAt(input, i)} where it may not (MAJOR.MINOR.PATCH may only be followed by '-' and '+', each with '.'-separated letters, digits and '-')`);
  }
  return { text: input, orderKey: keyFromCodes(codes) };
}

/** The Pub scheme: pub_semver's `Version.parse` and `Version.compareTo`. */
export const pubScheme: VersionScheme<PubVersion> = {
  id: 'pub',
  parse: parsePub,
  compare: (a, b) => compareKeys(a.orderKey, b.orderKey),
};
