/**
 * Every published vector in ../shared/data/version-vectors/ (each project's own test data,
 * attributed in ../shared/data/README.md), line by line. Rows a scheme rejects on purpose are
 * counted and named here rather than dropped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SemVer, valid as semverValid } from 'semver';
import { describe, expect, it } from 'vitest';
import { isPatchwiseError } from '../../src/errors/index.js';
import { apkFuzzyMatches, apkScheme } from '../../src/versions/apk.js';
import { dpkgScheme } from '../../src/versions/dpkg.js';
import { pep440Scheme } from '../../src/versions/pep440.js';
import { rpmScheme } from '../../src/versions/rpm.js';
import { semverScheme } from '../../src/versions/semver.js';
import type { VersionScheme } from '../../src/versions/version-scheme.js';
import { sharedData } from '../support/shared-data.js';
import { compareSign as cmp, requireOracle, sign } from './oracle-support.js';

/** Reads a vector file; a missing data directory fails in CI and skips elsewhere. */
function readVector(path: string, skip: (note: string) => never): string {
  const file = sharedData('version-vectors', path);
  requireOracle(existsSync(file) ? undefined : file, skip, 'vector file');
  return readFileSync(file, 'utf8');
}

function rejects<V>(scheme: VersionScheme<V>, text: string): boolean {
  try {
    scheme.parse(text);
    return false;
  } catch (err) {
    if (!isPatchwiseError(err) || err.code !== 'PW_VERSION_INVALID') throw err;
    return true;
  }
}

describe('dpkg vectors (dpkg scripts/t/Dpkg_Version.t)', () => {
  it('agrees with all 43 rows', ({ skip }) => {
    const rows = readVector('dpkg/Dpkg_Version.t.DATA.txt', skip).split('\n').filter((l) => l.trim() !== '');
    const wrong = rows.filter((row) => {
      const [a = '', b = '', expected = ''] = row.trim().split(/\s+/);
      return cmp(dpkgScheme, a, b) !== Number(expected);
    });
    expect(rows).toHaveLength(43);
    expect(wrong).toEqual([]);
  });
});

describe('rpm vectors', () => {
  it("agrees with all 91 rows of rpm's own rpmvercmp.at", ({ skip }) => {
    const rows = readVector('rpm/rpmvercmp.tsv', skip).split('\n').filter((l) => l !== '');
    const wrong = rows.filter((row) => {
      const [a = '', b = '', expected = ''] = row.split('\t');
      return cmp(rpmScheme, a, b) !== Number(expected);
    });
    expect(rows).toHaveLength(91);
    expect(wrong).toEqual([]);
  });

  it('agrees with go-rpm-version, except rows rpm 4.18 cannot parse as a version-release', ({ skip }) => {
    const rows = readVector('rpm/go-rpm-version-testcases.tsv', skip).split('\n').filter((l) => l !== '');
    // `""` is no version at all (rpm.labelCompare raises "invalid version"), and `1-2-3-4` is,
    // for rpm's EVR parser, version `1-2-3` release `4`, while the table compares it as one
    // plain rpmvercmp string. rpm forbids `-` in a version, so the scheme rejects both strings.
    const NOT_RPM = new Set(['', '1-2-3-4']);
    const wrong: string[] = [];
    let checked = 0;
    let rejected = 0;
    for (const row of rows) {
      const [a = '', b = '', expected = ''] = row.split('\t');
      if (NOT_RPM.has(a) || NOT_RPM.has(b)) {
        rejected++;
        if (!(NOT_RPM.has(a) ? rejects(rpmScheme, a) : true) || !(NOT_RPM.has(b) ? rejects(rpmScheme, b) : true)) wrong.push(row);
        continue;
      }
      checked++;
      if (cmp(rpmScheme, a, b) !== Number(expected)) wrong.push(row);
    }
    expect(rows).toHaveLength(4489);
    expect({ checked, rejected }).toEqual({ checked: 4489 - 264, rejected: 264 });
    expect(wrong).toEqual([]);
  });
});

/** version.data lines that compare a string apk_version_validate rejects (`bc`, `_foo`, `_post`). */
const APK_LINES_WITH_INVALID_VERSIONS = new Set(['1.0 < 1.0bc', '23_foo > 4_beta', '3.6.9_post1 ~ 3.6', '3.6.9_post1 !~ 3.8']);

describe('apk vectors (apk-tools test/unit/version.data)', () => {
  it('agrees with every line: order, fuzzy matches and validity', ({ skip }) => {
    const lines = readVector('apk/version.data', skip).split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const counts = { order: 0, fuzzy: 0, valid: 0, invalid: 0, blank: 0, invalidInOrderLine: 0 };
    const wrong: string[] = [];
    for (const raw of lines) {
      const line = raw.replace(/#.*$/, '').trim();
      const parts = line.split(/\s+/);
      if (line === '') {
        counts.blank++;
      } else if (parts.length === 1) {
        // Validity lines: `X` is valid, `!X` is not (`!` alone: the empty string).
        const text = line.startsWith('!') ? line.slice(1) : line;
        const expectValid = !line.startsWith('!');
        if (expectValid) counts.valid++;
        else counts.invalid++;
        if (rejects(apkScheme, text) === expectValid) wrong.push(raw);
      } else {
        const [a = '', op = '', b = ''] = parts;
        if (rejects(apkScheme, a) || rejects(apkScheme, b)) {
          // apk-tools compares token by token and stops at the first difference, so it also
          // orders strings its own validator rejects (`!0.1bc`, `!0.1_foobar` below). The
          // scheme rejects them; these are the only lines that need it.
          counts.invalidInOrderLine++;
          if (!APK_LINES_WITH_INVALID_VERSIONS.has(line)) wrong.push(raw);
          continue;
        }
        const va = apkScheme.parse(a);
        const vb = apkScheme.parse(b);
        const c = sign(apkScheme.compare(va, vb));
        const fuzzy = apkFuzzyMatches(va, vb);
        let ok: boolean;
        if (op === '<' || op === '>' || op === '=') {
          counts.order++;
          ok = c === (op === '<' ? -1 : op === '>' ? 1 : 0);
        } else {
          counts.fuzzy++;
          if (op === '~') ok = fuzzy;
          else if (op === '!~') ok = !fuzzy;
          else if (op === '<~') ok = fuzzy || c < 0;
          else if (op === '>~') ok = fuzzy || c > 0;
          else ok = false;
        }
        if (!ok) wrong.push(raw);
      }
    }
    expect(wrong).toEqual([]);
    expect(lines.filter((l) => l.trim() !== '')).toHaveLength(785);
    expect(counts).toEqual({ order: 736, fuzzy: 14, valid: 6, invalid: 25, blank: 3, invalidInOrderLine: 4 });
  });
});

describe('PEP 440 vectors (packaging tests/test_version.py VERSIONS)', () => {
  it('puts all 92 versions in strictly ascending order, every pair', ({ skip }) => {
    const versions = readVector('pep440/packaging-test_version-VERSIONS-sorted.txt', skip).split('\n').filter((l) => l !== '');
    const parsed = versions.map((v) => pep440Scheme.parse(v));
    const wrong: string[] = [];
    for (let i = 0; i < parsed.length; i++) {
      for (let j = 0; j < parsed.length; j++) {
        const expected = sign(i - j);
        if (sign(pep440Scheme.compare(parsed[i]!, parsed[j]!)) !== expected) wrong.push(`${versions[i]} vs ${versions[j]}`);
      }
    }
    expect(versions).toHaveLength(92);
    expect(wrong).toEqual([]);
  });
});

type Options = boolean | { loose?: boolean } | undefined;
const isLoose = (o: Options): boolean => (typeof o === 'object' ? o.loose === true : o === true);

describe('SemVer vectors (node-semver test/fixtures)', () => {
  interface Fixtures {
    comparisons: Array<[string, string, Options?]>;
    equality: Array<[string, string, Options?]>;
    'valid-versions': Array<[string, number, number, number, Array<string | number>, string[]]>;
    'invalid-versions': Array<[unknown, string, Options?]>;
  }
  const load = (skip: (note: string) => never): Fixtures =>
    JSON.parse(readVector('node-semver/node-semver-fixtures.json', skip)) as Fixtures;

  /** Loose-only spellings must be rejected by the strict scheme (and be loose-valid in semver). */
  function strictOrLooseOnly(a: string, b: string, options: Options, check: () => boolean): string | undefined {
    if (!rejects(semverScheme, a) && !rejects(semverScheme, b)) return check() ? undefined : `${a} ${b}`;
    const looseOnly = isLoose(options) && semverValid(a, { loose: true }) !== null && semverValid(b, { loose: true }) !== null;
    return looseOnly ? undefined : `${a} ${b}: rejected but not a loose-only spelling`;
  }

  it('orders the comparison fixtures (a > b) and the equality fixtures', ({ skip }) => {
    const f = load(skip);
    const wrong: string[] = [];
    for (const [a, b, o] of f.comparisons) {
      const w = strictOrLooseOnly(a, b, o, () => cmp(semverScheme, a, b) === 1 && cmp(semverScheme, b, a) === -1);
      if (w) wrong.push(w);
    }
    let strictEqualities = 0;
    for (const [a, b, o] of f.equality) {
      const w = strictOrLooseOnly(a, b, o, () => cmp(semverScheme, a, b) === 0);
      if (w) wrong.push(w);
      if (!rejects(semverScheme, a) && !rejects(semverScheme, b)) strictEqualities++;
    }
    expect(wrong).toEqual([]);
    expect(f.comparisons).toHaveLength(31);
    // Build metadata is ignored: `1.2.3+build` equals `1.2.3+otherbuild` even in strict mode.
    expect(strictEqualities).toBeGreaterThan(0);
  });

  it('parses every valid-version fixture and rejects every invalid-version string fixture', ({ skip }) => {
    const f = load(skip);
    for (const [text, major, minor, patch, prerelease, build] of f['valid-versions']) {
      const v = semverScheme.parse(text);
      expect(v).toBeInstanceOf(SemVer);
      expect([v.major, v.minor, v.patch, v.prerelease, v.build]).toEqual([major, minor, patch, prerelease, build]);
    }
    // The last fixture is an object, not a string: the scheme's parse takes strings only.
    const strings = f['invalid-versions'].filter((row): row is [string, string, Options?] => typeof row[0] === 'string');
    expect(strings.filter(([text]) => !rejects(semverScheme, text))).toEqual([]);
    expect(strings).toHaveLength(9);
  });
});
