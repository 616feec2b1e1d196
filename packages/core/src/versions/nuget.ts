import { PatchwiseError } from '../errors/index.js';
import { compareKeys, describeChar, isDigit, isLetter, keyFromCodes } from './order-key.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * NuGet versions, read as `NuGetVersion.Parse` reads them and ordered as `VersionComparer.Default`
 * orders them (NuGet.Versioning, NuGet/NuGet.Client; rules restated in docs/versions.md).
 *
 * Grammar: surrounding white space is ignored; one to four numbers separated by `.` (Major, Minor,
 * Patch, Revision; a missing one is 0, leading zeros are allowed, each at most 2147483647; white
 * space may surround each number, as NuGet allows); then optionally `-` and `.`-separated
 * pre-release labels; then optionally `+` and `.`-separated build metadata. Labels and metadata
 * parts are non-empty runs of ASCII letters, digits and `-`; an all-digit label has no leading zero.
 *
 * Order: the four numbers; then a pre-release is older than its release; labels compare part by
 * part, a version whose labels are a prefix of the other's first; two numeric labels by value,
 * a numeric label older than a text one, two text labels by ordinal comparison ignoring case.
 * Build metadata is ignored (`1.0.0+a` = `1.0.0+b`).
 */
export interface NuGetVersion {
  /** NuGet's normalised form (`ToNormalizedString`): `1.01` → `1.1.0`, `1.0.0.0` → `1.0.0`, no metadata. */
  readonly normalized: string;
  /** Opaque order key: `compareKeys` on keys is `VersionComparer.Default`'s order. */
  readonly orderKey: string;
}

/** NuGet reads every number into a .NET Int32 and refuses what does not fit. */
const INT32_MAX = 2147483647;

// Order key layout: four numbers of four bytes each, then RELEASE, or PRERELEASE followed by each
// label and LABELS_END. A label is NUMERIC with four bytes (its Int32 value plus 2^31), or TEXT
// with its characters upper-cased (ordinal ignore-case) and TEXT_END. LABELS_END sorts below both
// label tags, so fewer labels come first; TEXT_END below every allowed character, so a prefix
// comes first; NUMERIC below TEXT, as NuGet puts numeric labels first.
const PRERELEASE = 0x01;
const RELEASE = 0x02;
const LABELS_END = 0x01;
const NUMERIC = 0x10;
const TEXT = 0x11;
const TEXT_END = 0x00;

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid NuGet version: ${reason}`, { input });
}

/**
 * .NET's `char.IsWhiteSpace`, which `String.Trim` and NuGet's number reader use: U+0009–U+000D,
 * U+0020, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. Not
 * JavaScript's `\s`, which adds U+FEFF (.NET does not count it as white space).
 */
function isDotNetWhiteSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

function charAt(text: string, i: number): string {
  return String.fromCodePoint(text.codePointAt(i) ?? 0);
}

/**
 * The four numbers of `text[0, end)`, as NuGet's section reader takes them: each number may have
 * white space around it but not inside it, a `.` must be followed by another number.
 */
function readNumbers(input: string, text: string, end: number, separator: string): number[] {
  const numbers = [0, 0, 0, 0];
  let i = 0;
  let blank = true;
  for (let k = 0; k < end && blank; k++) blank = isDotNetWhiteSpace(text.charCodeAt(k));
  if (blank) throw invalid(input, separator === '' ? 'version string is empty' : `no version number before '${separator}'`);
  for (let part = 0; ; part++) {
    if (part === 4) throw invalid(input, 'more than four numbers (NuGet allows Major.Minor.Patch.Revision at most)');
    while (i < end && isDotNetWhiteSpace(text.charCodeAt(i))) i++;
    const digits = i;
    let value = 0;
    while (i < end && isDigit(text.charCodeAt(i))) {
      value = value * 10 + (text.charCodeAt(i) - 0x30);
      // Leading zeros never overflow: NuGet checks the value, not the digit count.
      if (value > INT32_MAX) throw invalid(input, `number ${part + 1} is above ${INT32_MAX} (NuGet reads each number as a 32-bit integer and refuses larger ones)`);
      i++;
    }
    if (i === digits) {
      if (i === end || text.charCodeAt(i) === 0x2e) throw invalid(input, `number ${part + 1} is empty`);
      const ch = charAt(text, i);
      if (part === 0 && (ch === 'v' || ch === 'V')) throw invalid(input, `starts with '${ch}' (NuGet accepts no 'v' prefix)`);
      throw invalid(input, `contains ${describeChar(ch)} where number ${part + 1} should start (numbers are ASCII digits)`);
    }
    numbers[part] = value;
    const afterDigits = i;
    while (i < end && isDotNetWhiteSpace(text.charCodeAt(i))) i++;
    if (i === end) return numbers;
    const code = text.charCodeAt(i);
    if (code !== 0x2e) {
      if (isDigit(code) && i > afterDigits) throw invalid(input, `white space inside number ${part + 1}`);
      throw invalid(input, `contains ${describeChar(charAt(text, i))} in the numbers (only digits and '.' may come before '-' or '+')`);
    }
    i++;
    if (i === end) throw invalid(input, `the numbers end with '.'`);
  }
}

/** Checks `.`-separated parts of letters, digits and `-`; `what` names them in errors. */
function checkParts(input: string, parts: readonly string[], what: 'pre-release label' | 'build metadata part'): void {
  for (const part of parts) {
    if (part === '') throw invalid(input, `empty ${what}`);
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      if (!isDigit(c) && !isLetter(c) && c !== 0x2d) {
        throw invalid(input, `${what} "${part}" contains ${describeChar(charAt(part, i))} (only ASCII letters, digits and '-' are allowed)`);
      }
    }
    // SemVer 2.0: a numeric identifier has no leading zero; NuGet enforces it for labels only.
    if (what === 'pre-release label' && part.length > 1 && part.charCodeAt(0) === 0x30 && allDigits(part)) {
      throw invalid(input, `numeric pre-release label "${part}" has a leading zero`);
    }
  }
}

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/**
 * The value of a label NuGet compares as a number, or undefined. NuGet asks .NET's
 * `int.TryParse`, so a label is numeric when it is digits with an optional leading `-` (the only
 * sign a label can hold) and fits an Int32: `-1` is the number -1, and `2147483648` is text.
 */
function numericLabel(label: string): number | undefined {
  const negative = label.charCodeAt(0) === 0x2d;
  const from = negative ? 1 : 0;
  if (from === label.length) return undefined;
  let value = 0;
  for (let i = from; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (!isDigit(c)) return undefined;
    value = value * 10 + (c - 0x30);
    if (value > INT32_MAX + 1) return undefined;
  }
  if (negative) return -value;
  return value > INT32_MAX ? undefined : value;
}

/** Appends a value in [0, 2^32) as four bytes, most significant first. */
function pushUint32(out: number[], value: number): void {
  out.push(Math.floor(value / 0x1000000) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

function parseNuGet(input: string): NuGetVersion {
  let start = 0;
  let end = input.length;
  while (start < end && isDotNetWhiteSpace(input.charCodeAt(start))) start++;
  while (end > start && isDotNetWhiteSpace(input.charCodeAt(end - 1))) end--;
  if (start === end) throw invalid(input, 'version string is empty');
  const text = input.slice(start, end);

  // The numbers end at the first '-' or '+'; labels run from '-' to the first '+' after it.
  let cut = 0;
  while (cut < text.length && text[cut] !== '-' && text[cut] !== '+') cut++;
  const numbers = readNumbers(input, text, cut, cut < text.length ? (text[cut] as string) : '');
  let labelText: string | undefined;
  if (cut < text.length) {
    const plus = text.indexOf('+', cut);
    if (text[cut] === '-') labelText = text.slice(cut + 1, plus < 0 ? text.length : plus);
    if (labelText !== undefined) checkParts(input, labelText.split('.'), 'pre-release label');
    if (plus >= 0) checkParts(input, text.slice(plus + 1).split('.'), 'build metadata part');
  }

  const codes: number[] = [];
  for (const n of numbers) pushUint32(codes, n);
  if (labelText === undefined) codes.push(RELEASE);
  else {
    codes.push(PRERELEASE);
    for (const label of labelText.split('.')) {
      const value = numericLabel(label);
      if (value !== undefined) {
        codes.push(NUMERIC);
        pushUint32(codes, value + INT32_MAX + 1);
      } else {
        codes.push(TEXT);
        for (let i = 0; i < label.length; i++) {
          const c = label.charCodeAt(i);
          codes.push(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
        }
        codes.push(TEXT_END);
      }
    }
    codes.push(LABELS_END);
  }
  const [major, minor, patch, revision] = numbers;
  const release = `${major}.${minor}.${patch}${revision ? `.${revision}` : ''}`;
  return { normalized: labelText === undefined ? release : `${release}-${labelText}`, orderKey: keyFromCodes(codes) };
}

/** The NuGet scheme; proven by NuGet.Client's own test vectors (nuget.test.ts). */
export const nugetScheme: VersionScheme<NuGetVersion> = {
  id: 'nuget',
  parse: parseNuGet,
  compare: (a, b) => compareKeys(a.orderKey, b.orderKey),
};
