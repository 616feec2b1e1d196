import { PatchwiseError } from '../errors/index.js';
import { compareKeys, describeChar, isDigit, isLetter, keyFromCodes, pushNumber } from './order-key.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * Debian and Ubuntu versions, `[epoch:]upstream[-revision]`, ordered exactly as dpkg's
 * `verrevcmp` (and APT, which agrees): epochs numerically, then upstream, then revision. Each
 * part alternates a non-digit run, compared character by character with `~` before the end of
 * the run, the end before letters and letters (ASCII order) before any other character, and a
 * digit run compared numerically at any length.
 *
 * Validation follows dpkg's strict parser (`parseversion`, used by dpkg-deb and dpkg-source):
 * both what dpkg calls errors and what it only warns about when reading its own database
 * (`version number does not start with digit`, `invalid character ...`) are rejected, because a
 * version that dpkg would refuse to build cannot be a real package's. Surrounding spaces and
 * tabs are trimmed as dpkg trims them. docs/versions.md has the full list.
 */
export interface DpkgVersion {
  /** The version as given, without the surrounding blanks dpkg ignores. */
  readonly text: string;
  /** The epoch's digits as written; `''` when the version has no epoch (epoch 0). */
  readonly epoch: string;
  readonly upstream: string;
  /** `''` when the version has no revision (which dpkg orders like `0`). */
  readonly revision: string;
  /** Opaque order key: `compareKeys` on keys is dpkg's order. */
  readonly orderKey: string;
}

/** dpkg stores the epoch in an int; larger epochs are an error in dpkg. */
const MAX_EPOCH = 2147483647;

// Codes of the non-digit runs in the order key (see order-key.ts). Only their relative order
// matters: `~` < end of the version part < end of a non-digit run < letters < other characters.
const TILDE = 0x01;
const PART_END = 0x02;
const RUN_END = 0x03;
const OTHER_OFFSET = 0x80;

/** Characters allowed after the first digit of the upstream version, besides letters and digits. */
const UPSTREAM_EXTRA = '.-+~:';
/** Characters allowed in the revision, besides letters and digits. */
const REVISION_EXTRA = '.+~';

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid dpkg version: ${reason}`, { input });
}

/** Parses a Debian version; throws PW_VERSION_INVALID naming the string and dpkg's reason. */
function parseDpkg(input: string): DpkgVersion {
  let start = 0;
  let end = input.length;
  // dpkg skips spaces and tabs around the version (isblank), nothing else.
  while (start < end && isBlank(input.charCodeAt(start))) start++;
  while (end > start && isBlank(input.charCodeAt(end - 1))) end--;
  if (start === end) throw invalid(input, 'version string is empty');
  const text = input.slice(start, end);
  for (let i = 0; i < text.length; i++) {
    if (isBlank(text.charCodeAt(i))) throw invalid(input, 'version string has embedded spaces');
  }

  const colon = text.indexOf(':');
  let epoch = '';
  let rest = text;
  if (colon >= 0) {
    epoch = text.slice(0, colon);
    if (epoch === '') throw invalid(input, 'epoch in version is empty');
    for (let i = 0; i < epoch.length; i++) {
      // dpkg reads the epoch with strtol, which would also take a sign; a signed epoch is never
      // written by Debian tools, so only digits are accepted here (documented).
      if (!isDigit(epoch.charCodeAt(i))) throw invalid(input, 'epoch in version is not a number');
    }
    if (Number(epoch) > MAX_EPOCH) throw invalid(input, 'epoch in version is too big');
    rest = text.slice(colon + 1);
    if (rest === '') throw invalid(input, 'nothing after colon in version number');
  }

  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen < 0 ? rest : rest.slice(0, hyphen);
  const revision = hyphen < 0 ? '' : rest.slice(hyphen + 1);
  if (hyphen >= 0 && revision === '') throw invalid(input, 'revision number is empty');
  if (upstream === '') throw invalid(input, 'version number is empty');
  if (!isDigit(upstream.charCodeAt(0))) throw invalid(input, 'version number does not start with digit');
  checkChars(input, upstream, UPSTREAM_EXTRA, 'version number');
  checkChars(input, revision, REVISION_EXTRA, 'revision number');

  const codes: number[] = [];
  pushNumber(codes, epoch, 0, epoch.length);
  pushPart(codes, upstream);
  pushPart(codes, revision);
  return { text, epoch, upstream, revision, orderKey: keyFromCodes(codes) };
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function checkChars(input: string, part: string, extra: string, what: string): void {
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (isDigit(code) || isLetter(code) || extra.includes(part.charAt(i))) continue;
    throw invalid(input, `invalid character ${describeChar(String.fromCodePoint(part.codePointAt(i) ?? code))} in ${what}`);
  }
}

/**
 * Encodes one version part as (non-digit run, number) pairs, as verrevcmp walks it. The first
 * pair is always written, even for an empty part, so that the parts of two versions stay aligned:
 * only the first pair can have an empty non-digit run, and an empty part equals `0`, as in dpkg.
 */
function pushPart(codes: number[], part: string): void {
  let i = 0;
  do {
    while (i < part.length && !isDigit(part.charCodeAt(i))) {
      const code = part.charCodeAt(i++);
      codes.push(code === 0x7e ? TILDE : isLetter(code) ? code : OTHER_OFFSET + code);
    }
    codes.push(RUN_END);
    const digits = i;
    while (i < part.length && isDigit(part.charCodeAt(i))) i++;
    pushNumber(codes, part, digits, i);
  } while (i < part.length);
  // The end of a part sorts after `~` and before anything else, as the end of a string in dpkg.
  codes.push(PART_END);
}

/**
 * The dpkg version scheme (Debian, Ubuntu). Parse once: `compare` is one string comparison.
 * Proven against APT's `apt_pkg.version_compare` in packages/core/test/oracle/dpkg-oracle.test.ts.
 */
export const dpkgScheme: VersionScheme<DpkgVersion> = {
  id: 'dpkg',
  parse: parseDpkg,
  compare(a: DpkgVersion, b: DpkgVersion): number {
    return compareKeys(a.orderKey, b.orderKey);
  },
};
