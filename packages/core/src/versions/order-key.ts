/**
 * Order keys: strings whose plain JavaScript comparison (`<` on UTF-16 code units) is a version
 * scheme's order. The hand-written schemes (dpkg, rpm, apk, pep440) build one at parse time, so
 * comparing two parsed versions is a single string comparison: no allocation, no regex and no
 * per-segment branching in the hot path (sorting, range checks over thousands of advisories).
 *
 * Every code unit of a key is below 0x100, so V8 keeps keys as one-byte strings and compares
 * them like memcmp. Keys are built from small "prefix-free" pieces: reading a key from the left,
 * the end of each piece is known from the piece itself, so two keys with an equal prefix are
 * always at the same structural position and codes at one position never need to be compared
 * with codes of a different kind of piece.
 */

/** Code of the first length header: lengths 0..SHORT_LENGTHS-1 take one code unit. */
const LENGTH_BASE = 0x20;
const SHORT_LENGTHS = 200;
/** Header of a length too long for one code unit; sorts after every short header. */
const LONG_LENGTH = 0xf0;

/**
 * Appends the encoding of the unsigned decimal number written by `text[start, end)` (ASCII
 * digits only; an empty range is 0). Leading zeros are dropped, then the number is written as
 * its digit count followed by its digits: a longer number is a larger one, equal lengths compare
 * digit by digit. Digit runs of any length are exact (no Number overflow, no BigInt).
 */
export function pushNumber(out: number[], text: string, start: number, end: number): void {
  let first = start;
  while (first < end && text.charCodeAt(first) === 0x30) first++;
  pushLength(out, end - first);
  for (let i = first; i < end; i++) out.push(text.charCodeAt(i));
}

function pushLength(out: number[], length: number): void {
  if (length < SHORT_LENGTHS) {
    out.push(LENGTH_BASE + length);
    return;
  }
  // A 200-digit run is absurd but legal in dpkg and rpm; encode its length as a number in turn
  // (that length has at most 16 digits, so the recursion stops at once).
  out.push(LONG_LENGTH);
  const digits = String(length);
  pushNumber(out, digits, 0, digits.length);
}

/** Turns collected code units into a flat one-byte string (chunked: no argument-count limit). */
export function keyFromCodes(codes: readonly number[]): string {
  const CHUNK = 4096;
  if (codes.length <= CHUNK) return String.fromCharCode(...codes);
  // Array#join returns a flat string; `+=` would leave a rope to flatten on the first compare.
  const parts: string[] = [];
  for (let i = 0; i < codes.length; i += CHUNK) parts.push(String.fromCharCode(...codes.slice(i, i + CHUNK)));
  return parts.join('');
}

/** Sign of the comparison of two order keys. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** True when `code` is an ASCII digit. */
export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** True when `code` is an ASCII letter. */
export function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** A printable rendering of a character for error messages (`'_'`, `U+00E9`, `tab`). */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code === 0x09) return 'a tab';
  if (code === 0x20) return 'a space';
  if (code < 0x20 || code === 0x7f || code > 0x7e) return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${ch}'`;
}
