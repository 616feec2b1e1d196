import { PatchwiseError } from '../errors/index.js';
import { compareKeys, keyFromCodes, pushNumber } from './order-key.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * PyPI versions: PEP 440 as python `packaging` (the reference implementation pip uses)
 * implements it, with its normalisation: case-insensitive, optional `v`, the alternative
 * spellings (`alpha` = `a`, `c`/`pre`/`preview` = `rc`, `rev`/`r` = `post`, `1.0-1` = `1.0.post1`),
 * the optional separators `-_.`, implicit 0 numbers, surrounding whitespace ignored. Unlike
 * packaging, only ASCII letters are letters: Python's case-insensitive matching also lets `ı`,
 * `ſ`, `K` and `İ` through (`1.0+ſ` is a version for packaging), which this scheme rejects.
 *
 * Hand-written rather than `@renovatebot/pep440` because that library disagrees with
 * `packaging` (numbers above 2^53 lose precision, local segments such as `1e5` are read as
 * floats, normalised local versions come out comma-separated) and has no parse-once API; see
 * docs/adr/0001-hand-written-version-schemes.md.
 */
export interface Pep440Version {
  readonly text: string;
  /** `str(packaging.version.Version(text))`: the normalised form, e.g. `1!2.0rc1.post0.dev3+abc.7`. */
  readonly normalized: string;
  /** Opaque order key: `compareKeys` on keys is packaging's order. */
  readonly orderKey: string;
}

// The grammar of PEP 440 (appendix B, "parsing version strings with regular expressions"),
// written out here; matched case-insensitively after trimming whitespace. The alternatives keep
// the order of the specification so that ambiguous spellings resolve as `packaging` does.
const SEP = '[-_.]?';
const VERSION_SYNTAX = new RegExp(
  [
    '^v?',
    '(?:(?<epoch>[0-9]+)!)?',
    '(?<release>[0-9]+(?:\\.[0-9]+)*)',
    `(?:${SEP}(?<preL>alpha|a|beta|b|preview|pre|c|rc)${SEP}(?<preN>[0-9]+)?)?`,
    `(?:-(?<postN1>[0-9]+)|${SEP}(?<postL>post|rev|r)${SEP}(?<postN2>[0-9]+)?)?`,
    `(?:${SEP}(?<devL>dev)${SEP}(?<devN>[0-9]+)?)?`,
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
  ].join(''),
  'i',
);

/**
 * Whitespace `packaging` strips around a version: Python's `\s` (str.isspace), spelled out
 * because JavaScript's `\s` differs (it has U+FEFF, lacks U+001C-U+001F and U+0085).
 */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const TRIM = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

// Order key codes (see order-key.ts). Each slot of packaging's comparison key is written in
// turn; inside a slot the codes follow packaging's order, including its +/- infinity markers.
const PART = 0x02;
const RELEASE_END = 0x01;
const PRE_DEV_ONLY = 0x01; // packaging: no pre, no post, but dev  -> -infinity
const PRE_CODES: Readonly<Record<string, number>> = { a: 0x02, b: 0x03, rc: 0x04 };
const PRE_NONE = 0x05; // packaging: no pre -> +infinity
const POST_NONE = 0x01; // -infinity
const POST = 0x02;
const DEV = 0x01;
const DEV_NONE = 0x02; // +infinity
const LOCAL_NONE = 0x01; // -infinity
const LOCAL = 0x02;
const LOCAL_END = 0x01;
const LOCAL_STRING = 0x02; // (-infinity, text): before every number
const LOCAL_NUMBER = 0x03;
const STRING_END = 0x01;

const PRE_SPELLINGS: Readonly<Record<string, string>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
  rc: 'rc',
};

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid PEP 440 version: ${reason}`, { input });
}

/** Decimal digits without leading zeros ("0" for zero), as Python's str(int(digits)). */
function canonicalNumber(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  return digits.slice(i);
}

function isAllDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Parses a PEP 440 version; throws PW_VERSION_INVALID naming the string. */
function parsePep440(input: string): Pep440Version {
  const trimmed = input.replace(TRIM, '');
  if (trimmed === '') throw invalid(input, 'version string is empty');
  const groups = VERSION_SYNTAX.exec(trimmed)?.groups;
  if (!groups?.release) throw invalid(input, describeProblem(trimmed));

  const epoch = canonicalNumber(groups.epoch ?? '0');
  const release = groups.release.split('.').map(canonicalNumber);
  const pre = groups.preL === undefined ? undefined : PRE_SPELLINGS[groups.preL.toLowerCase()];
  const preN = canonicalNumber(groups.preN ?? '0');
  const hasPost = groups.postN1 !== undefined || groups.postL !== undefined;
  const postN = canonicalNumber(groups.postN1 ?? groups.postN2 ?? '0');
  const hasDev = groups.devL !== undefined;
  const devN = canonicalNumber(groups.devN ?? '0');
  const local = groups.local?.toLowerCase().split(/[-_.]/).map((s) => (isAllDigits(s) ? canonicalNumber(s) : s));

  let normalized = epoch === '0' ? '' : `${epoch}!`;
  normalized += release.join('.');
  if (pre !== undefined) normalized += `${pre}${preN}`;
  if (hasPost) normalized += `.post${postN}`;
  if (hasDev) normalized += `.dev${devN}`;
  if (local) normalized += `+${local.join('.')}`;

  const codes: number[] = [];
  pushNumber(codes, epoch, 0, epoch.length);
  // packaging drops trailing zeros of the release for comparison: 1.0 == 1.0.0.
  let significant = release.length;
  while (significant > 0 && release[significant - 1] === '0') significant--;
  for (let i = 0; i < significant; i++) {
    const part = release[i] ?? '0';
    codes.push(PART);
    pushNumber(codes, part, 0, part.length);
  }
  codes.push(RELEASE_END);
  if (pre !== undefined) {
    codes.push(PRE_CODES[pre] ?? PRE_NONE);
    pushNumber(codes, preN, 0, preN.length);
  } else {
    codes.push(!hasPost && hasDev ? PRE_DEV_ONLY : PRE_NONE);
  }
  if (hasPost) {
    codes.push(POST);
    pushNumber(codes, postN, 0, postN.length);
  } else {
    codes.push(POST_NONE);
  }
  if (hasDev) {
    codes.push(DEV);
    pushNumber(codes, devN, 0, devN.length);
  } else {
    codes.push(DEV_NONE);
  }
  if (local) {
    codes.push(LOCAL);
    for (const segment of local) {
      if (isAllDigits(segment)) {
        codes.push(LOCAL_NUMBER);
        pushNumber(codes, segment, 0, segment.length);
      } else {
        codes.push(LOCAL_STRING);
        for (let i = 0; i < segment.length; i++) codes.push(segment.charCodeAt(i));
        codes.push(STRING_END);
      }
    }
    codes.push(LOCAL_END);
  } else {
    codes.push(LOCAL_NONE);
  }
  return { text: input, normalized, orderKey: keyFromCodes(codes) };
}

/** A short reason for a string the grammar rejects, for the error message. */
function describeProblem(text: string): string {
  if (/[^\x21-\x7e]/.test(text)) return 'contains whitespace or a non-ASCII character';
  if (!/^v?[0-9]/i.test(text)) return 'does not start with a release number';
  if ((text.match(/\+/g) ?? []).length > 1) return "more than one '+'";
  return 'does not match the PEP 440 grammar (release, then optional pre, post, dev and +local parts)';
}

/**
 * The PEP 440 scheme (PyPI). Parse once: `compare` is one string comparison. Proven against
 * python `packaging` (ordering, normalisation and validity) in
 * packages/core/test/oracle/pep440-oracle.test.ts.
 */
export const pep440Scheme: VersionScheme<Pep440Version> = {
  id: 'pep440',
  parse: parsePep440,
  compare(a: Pep440Version, b: Pep440Version): number {
    return compareKeys(a.orderKey, b.orderKey);
  },
};
