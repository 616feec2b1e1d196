import { PatchwiseError } from '../errors/index.js';
import { compareKeys, describeChar, isDigit, isLetter, keyFromCodes, pushNumber } from './order-key.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * RubyGems versions, ordered as `Gem::Version#<=>` (RubyGems 3.3) orders them and accepted as
 * `Gem::Version.correct?` accepts them; checked against Ruby itself
 * (packages/core/test/oracle/rubygems-oracle.test.ts).
 *
 * Grammar: digits, then `.`-separated runs of letters and digits, then optionally `-` and
 * `.`-separated runs of letters, digits and `-` (`1.0.0.rc1`, `2.0.0-beta.2`); surrounding ASCII
 * whitespace is ignored. Every `-` reads as `.pre.`, then the version is its runs of digits
 * (numbers, exact at any length) and runs of letters (words, case-sensitive): `1.0a1` is
 * 1, 0, "a", 1. The canonical form drops the zeros that end the numbers before the first word and
 * the zeros that end the whole list (`1.0.a` = `1.a`, `1.0.0` = `1`). Lists compare position by
 * position, an ended list reading as 0; a word is older than any number (so words make
 * pre-releases: `1.0.0.rc1` < `1.0.0`), words compare byte-wise (`RC` < `rc`, `a` < `ab`).
 *
 * One deliberate difference: Ruby reads an empty or blank string as `0`; this scheme refuses it.
 */
export interface RubyGemsVersion {
  /** The version without its surrounding whitespace. */
  readonly text: string;
  /** Opaque order key: `compareKeys` on keys is RubyGems' order. */
  readonly orderKey: string;
}

// The order key is the canonical list with its zeros run-length coded, because a list that has
// ended reads as 0 forever: the end compares with a run of zeros by what follows the run. Each
// non-zero item is written with the count of zeros before it: `WORD count word WORD_END`,
// `NUMBER ~count number`, and the list closes with `END`. Against a run of zeros, a word is older
// and a number newer, so WORD < END < NUMBER; a word after fewer zeros is older (counts written
// ascending), a number after fewer zeros is newer (counts written descending, complemented).
const WORD_END = 0x01;
const WORD = 0x10;
const END = 0x11;
const NUMBER = 0x12;

/** A run of `text`: [start, end, is a number]; `[-1, -1, false]` is the word "pre" a '-' stands for. */
type Item = readonly [number, number, boolean];

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid RubyGems version: ${reason}`, { input });
}

/** Ruby's `\s`: space, \t, \n, \v, \f, \r. */
function isRubySpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function isAlnum(code: number): boolean {
  return isDigit(code) || isLetter(code);
}

/**
 * The end of a run of `.`-separated non-empty parts made of `allowed` characters, starting at
 * `i` just after a part; -1 when a `.` is not followed by an allowed character.
 */
function skipParts(text: string, i: number, allowed: (code: number) => boolean): number {
  while (text.charCodeAt(i) === 0x2e) {
    const start = ++i;
    while (i < text.length && allowed(text.charCodeAt(i))) i++;
    if (i === start) return -1;
  }
  return i;
}

/** The reason `text` (already trimmed, not empty) does not match Gem::Version's pattern, or undefined. */
function grammarError(text: string): string | undefined {
  let i = 0;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  if (i === 0) return 'must start with a digit';
  i = skipParts(text, i, isAlnum);
  if (i >= 0 && text.charCodeAt(i) === 0x2d) {
    const start = ++i;
    const preChar = (c: number) => isAlnum(c) || c === 0x2d;
    while (i < text.length && preChar(text.charCodeAt(i))) i++;
    i = i === start ? -1 : skipParts(text, i, preChar);
  }
  if (i < 0) return 'has an empty part (a separator not followed by a letter or digit)';
  if (i < text.length) {
    const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
    return `contains ${describeChar(ch)} where only letters, digits, '.' and (after the first '-') '-' are allowed`;
  }
  return undefined;
}

function parseRubyGems(input: string): RubyGemsVersion {
  let start = 0;
  let end = input.length;
  while (start < end && isRubySpace(input.charCodeAt(start))) start++;
  while (end > start && isRubySpace(input.charCodeAt(end - 1))) end--;
  // RubyGems reads "" as version 0; an empty version in an inventory or advisory is a data error.
  if (start === end) throw invalid(input, 'version string is empty');
  const text = input.slice(start, end);
  const reason = grammarError(text);
  if (reason !== undefined) throw invalid(input, reason);

  // Every '-' is the word "pre": RubyGems rewrites it to ".pre.".
  const items: Item[] = [];
  let firstWord = -1;
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    const from = i;
    if (isDigit(code)) {
      while (i < text.length && isDigit(text.charCodeAt(i))) i++;
      items.push([from, i, true]);
      continue;
    }
    if (firstWord < 0 && code !== 0x2e) firstWord = items.length;
    if (isLetter(code)) {
      while (i < text.length && isLetter(text.charCodeAt(i))) i++;
      items.push([from, i, false]);
    } else {
      if (code === 0x2d) items.push([-1, -1, false]);
      i++;
    }
  }
  // Canonical segments: the numbers before the first word lose their trailing zeros.
  const numbersEnd = firstWord < 0 ? items.length : firstWord;
  let kept = numbersEnd;
  while (kept > 0 && isZero(text, items[kept - 1] as Item)) kept--;
  const canonical = kept === numbersEnd ? items : items.slice(0, kept).concat(items.slice(numbersEnd));

  const codes: number[] = [];
  let zeros = 0;
  for (const item of canonical) {
    const [from, to, isNumber] = item;
    if (isNumber) {
      if (isZero(text, item)) {
        zeros++;
        continue;
      }
      codes.push(NUMBER);
      pushCount(codes, 0xffffffff - zeros);
      pushNumber(codes, text, from, to);
    } else {
      codes.push(WORD);
      pushCount(codes, zeros);
      if (from < 0) codes.push(0x70, 0x72, 0x65); // "pre"
      else for (let i = from; i < to; i++) codes.push(text.charCodeAt(i));
      codes.push(WORD_END);
    }
    zeros = 0;
  }
  codes.push(END);
  return { text, orderKey: keyFromCodes(codes) };
}

function isZero(text: string, [from, to, isNumber]: Item): boolean {
  if (!isNumber) return false;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) !== 0x30) return false;
  return true;
}

/** A count of zeros as four fixed-width code units (counts are below the string length, < 2^32). */
function pushCount(out: number[], count: number): void {
  out.push((count >>> 24) & 0xff, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff);
}

export const rubyGemsScheme: VersionScheme<RubyGemsVersion> = {
  id: 'rubygems',
  parse: parseRubyGems,
  compare: (a, b) => compareKeys(a.orderKey, b.orderKey),
};
