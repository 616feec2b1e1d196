import { PatchwiseError } from '../errors/index.js';
import { describeChar, isDigit, isLetter } from './order-key.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * The fallback order for ecosystems whose own ordering Patchwise does not implement yet (CRAN,
 * Hackage, Swift, ...). It is documented, deterministic and total, but it is not any
 * ecosystem's exact rule; docs/versions.md lists where it differs. The definition:
 *
 * 1. Valid strings are non-empty, made of printable ASCII (0x21-0x7E: no whitespace, no control
 *    or non-ASCII characters), and contain at least one ASCII letter or digit.
 * 2. One leading `v` or `V` directly followed by a digit is dropped (`v1.2` = `1.2`).
 * 3. The string is split into tokens: maximal runs of digits (numeric tokens, valued as exact
 *    integers of any length, so `007` = `7`) and maximal runs of letters (alphabetic tokens,
 *    compared in lower case). Every other character only separates tokens (`1.0` = `1-0` = `1_0`).
 * 4. Token lists are compared position by position; a list that has ended reads as numeric 0
 *    (so `1` = `1.0` = `1.0.0`). Two numeric tokens compare by value, two alphabetic tokens by
 *    code unit (a prefix first: `a` < `ab`), and an alphabetic token is older than a numeric one,
 *    which makes trailing words pre-releases: `1.0-rc1` < `1.0` < `1.0.1`, `1.0.a` < `1.0.0`.
 *    The first difference decides; with none the versions are equal.
 */
export interface GenericVersion {
  readonly text: string;
  /** Tokens in order: numeric tokens are digits without leading zeros, alphabetic ones lower-cased. */
  readonly tokens: readonly string[];
  /** Parallel to tokens: true for numeric tokens. */
  readonly numeric: readonly boolean[];
}

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid version: ${reason}`, { input });
}

function parseGeneric(input: string): GenericVersion {
  if (input === '') throw invalid(input, 'version string is empty');
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) {
      throw invalid(input, `contains ${describeChar(String.fromCodePoint(input.codePointAt(i) ?? code))} (only printable ASCII is allowed)`);
    }
  }
  let i = (input.charCodeAt(0) | 0x20) === 0x76 && isDigit(input.charCodeAt(1)) ? 1 : 0;
  const tokens: string[] = [];
  const numeric: boolean[] = [];
  while (i < input.length) {
    const code = input.charCodeAt(i);
    const start = i;
    if (isDigit(code)) {
      while (i < input.length && isDigit(input.charCodeAt(i))) i++;
      let first = start;
      while (first < i - 1 && input.charCodeAt(first) === 0x30) first++;
      tokens.push(input.slice(first, i));
      numeric.push(true);
    } else if (isLetter(code)) {
      while (i < input.length && isLetter(input.charCodeAt(i))) i++;
      tokens.push(input.slice(start, i).toLowerCase());
      numeric.push(false);
    } else {
      i++;
    }
  }
  if (tokens.length === 0) throw invalid(input, 'contains no letter or digit');
  return { text: input, tokens, numeric };
}

/** Compares two digit strings without leading zeros by value. */
function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareGeneric(a: GenericVersion, b: GenericVersion): number {
  const n = Math.max(a.tokens.length, b.tokens.length);
  for (let i = 0; i < n; i++) {
    // An ended list reads as numeric 0.
    const aNumeric = i < a.numeric.length ? a.numeric[i] === true : true;
    const bNumeric = i < b.numeric.length ? b.numeric[i] === true : true;
    const aToken = a.tokens[i] ?? '0';
    const bToken = b.tokens[i] ?? '0';
    if (aNumeric !== bNumeric) return aNumeric ? 1 : -1;
    const c = aNumeric ? compareDigits(aToken, bToken) : aToken === bToken ? 0 : aToken < bToken ? -1 : 1;
    if (c !== 0) return c;
  }
  return 0;
}

/** The generic fallback scheme; its exact definition is above and in docs/versions.md. */
export const genericScheme: VersionScheme<GenericVersion> = {
  id: 'generic',
  parse: parseGeneric,
  compare: compareGeneric,
};
