import { PatchwiseError } from '../errors/index.js';
import { compareKeys, describeChar, isDigit, keyFromCodes, pushNumber } from './order-key.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * Composer (Packagist) versions, as composer/semver 3 reads and orders them: a version is first
 * normalised (`VersionParser::normalize`: `v1.2-beta2` → `1.2.0.0-beta2`, `1.0-pl3` →
 * `1.0.0.0-patch3`, `2010-01-02` → `2010.01.02`, `1.x-dev` → `1.9999999.9999999.9999999-dev`,
 * build metadata dropped), then normalised strings are ordered as `Comparator` orders them, which
 * is PHP's `version_compare`. Checked against composer/semver and PHP themselves
 * (packages/core/test/oracle/composer-oracle.test.ts); docs/versions.md has the grammar.
 *
 * Refused on purpose, although `normalize` accepts them:
 * - branches (`dev-main`, `dev-feature/x`, and `master`, `trunk`, `default`, which Composer
 *   reads as `dev-master`...): Composer orders a branch against another only by name equality and
 *   never places it inside a range, so a branch has no place in an advisory's range either;
 *   numeric branches (`1.x-dev`, `2.0.*-dev`) do have a place and are accepted;
 * - composer.json constraint syntax: aliases (`1.0 as 2.0`) and stability flags (`1.0@beta`);
 * - whitespace, control and non-ASCII characters inside the version.
 */
export interface ComposerVersion {
  /** `VersionParser::normalize` of the version: `1.0.0.0-RC1`. */
  readonly normalized: string;
  /** Opaque order key: `compareKeys` on keys is Composer's order. */
  readonly orderKey: string;
}

/** Stability words as normalize writes them (lower case, but `RC`). */
const STABILITY = 'stable|beta|b|rc|alpha|a|patch|pl|p';
/** What may follow the numbers (composer's "modifier"): a stability with numbers, then `-dev`. */
const MODIFIER = `[._-]?(?:(${STABILITY})((?:[.-]?\\d+)*))?([.-]?dev)?`;
/** Up to four numbers, the first at most five digits long: `1`, `v1.2.3.4`. */
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
/** A date or date-time: `2010-01-02`, `20100102.203040`, `2010.01.02.123`. */
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}$`, 'i');
/** The name of a numeric branch, before its `-dev`: `1.x`, `v2.0.*`, `3.1.2.X`. */
const NUMERIC_BRANCH = /^v?(\d+)(\.(?:\d+|[x*]))?(\.(?:\d+|[x*]))?(\.(?:\d+|[x*]))?$/i;

/** How normalize writes each stability word it reads. */
const STABILITY_NAMES: Readonly<Record<string, string>> = { a: 'alpha', b: 'beta', p: 'patch', pl: 'patch', rc: 'RC' };

// Codes of the order key: PHP's version_compare ranks words as dev < alpha < beta < RC < a
// number < patch, and any word it does not know (`stable`, which normalize writes for `STABLE`)
// below all of them. When one version has ended, the other's next part decides: a number or
// `patch` makes it newer, any other word older, so the end sits between RC and numbers.
const WORD_CODES: Readonly<Record<string, number>> = { stable: 0x01, dev: 0x02, alpha: 0x03, beta: 0x04, RC: 0x05, patch: 0x08 };
const END = 0x06;
const NUMBER = 0x07;

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid Composer version: ${reason}`, { input });
}

/** PHP's trim(): space, \t, \n, \r, \0 and \v; not \f. */
function isPhpTrimmed(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x00 || code === 0x0b;
}

function parseComposer(input: string): ComposerVersion {
  let start = 0;
  let end = input.length;
  while (start < end && isPhpTrimmed(input.charCodeAt(start))) start++;
  while (end > start && isPhpTrimmed(input.charCodeAt(end - 1))) end--;
  if (start === end) throw invalid(input, 'version string is empty');
  let text = input.slice(start, end);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) throw invalid(input, `contains ${describeChar(String.fromCodePoint(text.codePointAt(i) ?? code))} (only printable ASCII is allowed)`);
  }
  if (text.includes('@')) throw invalid(input, "contains '@' (a stability flag belongs to a composer.json constraint, not to a version)");
  if (text === 'master' || text === 'trunk' || text === 'default' || text.slice(0, 4).toLowerCase() === 'dev-') {
    throw invalid(input, 'is a branch: Composer orders branches only by name, never inside a range');
  }
  // Build metadata: everything from the first '+', when something comes before and after it.
  const plus = text.search(/[+,]/);
  if (plus > 0 && text.charCodeAt(plus) === 0x2b && plus < text.length - 1) text = text.slice(0, plus);

  const normalized = normalize(text);
  if (normalized === undefined) throw invalid(input, 'not a version Composer can read (numbers, a stability suffix such as -beta2 or -RC1, a date, or a numeric -dev branch)');
  return { normalized, orderKey: orderKey(normalized) };
}

/** VersionParser::normalize for strings that passed the checks above; undefined when it refuses. */
function normalize(text: string): string | undefined {
  let numbers: string;
  let match = CLASSICAL.exec(text);
  let modifier = 5;
  if (match) {
    numbers = (match[1] as string) + (match[2] ?? '.0') + (match[3] ?? '.0') + (match[4] ?? '.0');
  } else {
    match = DATE.exec(text);
    modifier = 2;
    if (match) numbers = (match[1] as string).replace(/\D/g, '.');
    else return numericBranch(text);
  }
  const stability = match[modifier];
  const stabilityNumbers = match[modifier + 1] ?? '';
  const dev = match[modifier + 2];
  let out = numbers;
  if (stability !== undefined) {
    // Composer compares with 'stable' case-sensitively: `-stable` ends the version there and
    // then, while `-STABLE1` is kept as the word `stable`, which PHP ranks below everything.
    if (stability === 'stable') return out;
    const lower = stability.toLowerCase();
    out += '-' + (STABILITY_NAMES[lower] ?? lower) + stabilityNumbers.replace(/^[.-]+/, '');
  }
  if (dev !== undefined) out += '-dev';
  return out;
}

/** `1.x-dev` → `1.9999999.9999999.9999999-dev`; undefined for any other name before `dev`. */
function numericBranch(text: string): string | undefined {
  if (!/dev$/i.test(text)) return undefined;
  const before = text.length - 4;
  const name = text.slice(0, before >= 0 && (text[before] === '.' || text[before] === '-') ? before : text.length - 3);
  const match = NUMERIC_BRANCH.exec(name);
  if (!match) return undefined;
  let out = '';
  for (let i = 1; i <= 4; i++) out += (match[i] ?? '.x').replace(/[x*]/gi, '9999999');
  return out + '-dev';
}

/**
 * The order key of a normalised version: its parts as PHP's version_compare cuts them (at `.`,
 * `-` and between digits and letters), numbers by value at any length, words by rank, then END.
 */
function orderKey(normalized: string): string {
  const codes: number[] = [];
  for (let i = 0; i < normalized.length; ) {
    const from = i;
    if (isDigit(normalized.charCodeAt(i))) {
      while (i < normalized.length && isDigit(normalized.charCodeAt(i))) i++;
      codes.push(NUMBER);
      pushNumber(codes, normalized, from, i);
    } else if (normalized[i] === '.' || normalized[i] === '-') {
      i++;
    } else {
      while (i < normalized.length && !isDigit(normalized.charCodeAt(i)) && normalized[i] !== '.' && normalized[i] !== '-') i++;
      const code = WORD_CODES[normalized.slice(from, i)];
      if (code === undefined) throw new Error(`composer: unexpected word in normalised version ${normalized}`);
      codes.push(code);
    }
  }
  codes.push(END);
  return keyFromCodes(codes);
}

export const composerScheme: VersionScheme<ComposerVersion> = {
  id: 'composer',
  parse: parseComposer,
  compare: (a, b) => compareKeys(a.orderKey, b.orderKey),
};
