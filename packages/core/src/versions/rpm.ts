import { PatchwiseError } from '../errors/index.js';
import { compareKeys, describeChar, isDigit, isLetter, keyFromCodes, pushNumber } from './order-key.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * RPM versions as OSV and the RPM-based distributions write them: `[epoch:]version[-release]`
 * (`1:1.26.0-14.el8_3`, `2:1.0.1-38.module_el8.9.0+3627+db8ec155`). Ordered as rpm 4.18's
 * `rpm.labelCompare`: the epoch (absent = 0), then the version, then the release, each with
 * `rpmvercmp`; a missing release sorts before any release, as labelCompare's missing value does.
 *
 * `rpmvercmp` splits a string into alphabetic runs, numeric runs, `~` and `^`, and drops every
 * other character (they only separate runs). Position by position: `~` sorts before everything,
 * even the end of the string; then the end; then `^`; then alphabetic runs (byte order); then
 * numeric runs (by value, any length). A string that runs out first is older.
 *
 * Validation follows what rpm can produce: epoch digits only, version and release non-empty,
 * made of ASCII letters, digits and `._+~^` (rpmbuild's allowed set once macros are expanded),
 * without `..` (rpmbuild refuses it) and without `-` (rpm splits the release at the last `-`).
 */
export interface RpmVersion {
  readonly text: string;
  /** The epoch's digits as written; `''` when absent (compares as 0). */
  readonly epoch: string;
  readonly version: string;
  /** `undefined` when the string has no `-release` part. */
  readonly release: string | undefined;
  /** Opaque order key: `compareKeys` on keys is rpm's order. */
  readonly orderKey: string;
}

// Token codes of the order key (see order-key.ts). Their order is rpmvercmp's order of what can
// stand at one position: `~` < end of string < `^` < alphabetic run < numeric run.
const TILDE = 0x01;
const STRING_END = 0x02;
const CARET = 0x03;
const ALPHA = 0x04;
const NUMERIC = 0x05;
/** Ends an alphabetic run: below every letter, so a run that is a prefix of another sorts first. */
const ALPHA_END = 0x01;
/** After the version: no release sorts before a release. */
const NO_RELEASE = 0x01;
const HAS_RELEASE = 0x02;

const EXTRA_CHARS = '._+~^';

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_VERSION_INVALID', `invalid rpm version: ${reason}`, { input });
}

/** Parses `[epoch:]version[-release]`; throws PW_VERSION_INVALID naming the string and the reason. */
function parseRpm(input: string): RpmVersion {
  if (input === '') throw invalid(input, 'version string is empty');
  // As rpm's own EVR parser: an epoch is a run of leading digits ended by ':'.
  let digits = 0;
  while (digits < input.length && isDigit(input.charCodeAt(digits))) digits++;
  let epoch = '';
  let rest = input;
  if (input.charCodeAt(digits) === 0x3a) {
    // rpm would read ":1.0" as epoch 0; an empty epoch is a malformed string, not a version.
    if (digits === 0) throw invalid(input, 'epoch is empty');
    epoch = input.slice(0, digits);
    rest = input.slice(digits + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen < 0 ? rest : rest.slice(0, hyphen);
  const release = hyphen < 0 ? undefined : rest.slice(hyphen + 1);
  if (version === '') throw invalid(input, epoch === '' ? 'version is empty' : 'nothing after the epoch');
  if (release === '') throw invalid(input, 'release is empty');
  checkField(input, version, 'version');
  if (release !== undefined) checkField(input, release, 'release');

  const codes: number[] = [];
  pushNumber(codes, epoch, 0, epoch.length);
  pushVercmpTokens(codes, version);
  if (release === undefined) {
    codes.push(NO_RELEASE);
  } else {
    codes.push(HAS_RELEASE);
    pushVercmpTokens(codes, release);
  }
  return { text: input, epoch, version, release, orderKey: keyFromCodes(codes) };
}

function checkField(input: string, field: string, what: string): void {
  for (let i = 0; i < field.length; i++) {
    const code = field.charCodeAt(i);
    if (isDigit(code) || isLetter(code) || EXTRA_CHARS.includes(field.charAt(i))) continue;
    if (code === 0x2d) throw invalid(input, `more than one '-' (rpm forbids '-' inside the ${what})`);
    if (code === 0x3a) throw invalid(input, `invalid character ':' in the ${what} (an epoch is leading digits then ':')`);
    throw invalid(input, `invalid character ${describeChar(String.fromCodePoint(field.codePointAt(i) ?? code))} in the ${what}`);
  }
  if (field.includes('..')) throw invalid(input, `the ${what} contains '..' (rpmbuild refuses it)`);
}

/** Writes the rpmvercmp tokens of `field` followed by the end-of-string code. */
function pushVercmpTokens(codes: number[], field: string): void {
  let i = 0;
  while (i < field.length) {
    const code = field.charCodeAt(i);
    if (code === 0x7e) {
      codes.push(TILDE);
      i++;
    } else if (code === 0x5e) {
      codes.push(CARET);
      i++;
    } else if (isDigit(code)) {
      const start = i;
      while (i < field.length && isDigit(field.charCodeAt(i))) i++;
      codes.push(NUMERIC);
      pushNumber(codes, field, start, i);
    } else if (isLetter(code)) {
      codes.push(ALPHA);
      while (i < field.length && isLetter(field.charCodeAt(i))) codes.push(field.charCodeAt(i++));
      codes.push(ALPHA_END);
    } else {
      i++; // a separator: it ends a run and is otherwise ignored
    }
  }
  codes.push(STRING_END);
}

/**
 * The rpm version scheme (AlmaLinux, Rocky, Red Hat, SUSE, Fedora, ...). Parse once: `compare`
 * is one string comparison. Proven against rpm 4.18's `rpm.labelCompare` in
 * packages/core/test/oracle/rpm-oracle.test.ts.
 */
export const rpmScheme: VersionScheme<RpmVersion> = {
  id: 'rpm',
  parse: parseRpm,
  compare(a: RpmVersion, b: RpmVersion): number {
    return compareKeys(a.orderKey, b.orderKey);
  },
};
