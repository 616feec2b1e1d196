/**
 * The NuGet scheme against NuGet's own definition. No .NET runtime is packaged for Debian, so no
 * oracle can be asked here; the vectors are the ones NuGet.Versioning is tested with.
 *
 * Test data (version strings and their expected verdicts, normalised forms and orders) taken from
 * NuGet/NuGet.Client (Apache-2.0), test/NuGet.Core.Tests/NuGet.Versioning.Test/:
 * NuGetVersionTest.cs, VersionComparerTests.cs, SemVer201SpecTests.cs and VersionParsingTests.cs;
 * and from the "Package versioning" page of the NuGet documentation
 * (learn.microsoft.com/nuget/concepts/package-versioning: its sorted pre-release example and its
 * normalisation examples). Each table below names the test it comes from.
 */
import { describe, expect, it } from 'vitest';
import { isPatchwiseError } from '../errors/index.js';
import { schemeFor } from './ecosystems.js';
import { nugetScheme } from './nuget.js';

const parse = (v: string) => nugetScheme.parse(v);
const cmp = (a: string, b: string) => Math.sign(nugetScheme.compare(parse(a), parse(b)));

function reasonOf(v: string): string {
  try {
    parse(v);
  } catch (err) {
    if (isPatchwiseError(err) && err.code === 'PW_VERSION_INVALID' && err.input === v) return err.message;
    throw err;
  }
  throw new Error(`${JSON.stringify(v)} was accepted`);
}

/** Asserts a < b for each consecutive pair, in both directions. */
function expectAscending(versions: readonly string[]): void {
  for (let i = 0; i + 1 < versions.length; i++) {
    const [a, b] = [versions[i] as string, versions[i + 1] as string];
    expect(cmp(a, b), `${a} < ${b}`).toBe(-1);
    expect(cmp(b, a), `${b} > ${a}`).toBe(1);
  }
}

function expectEqual(pairs: ReadonlyArray<readonly [string, string]>): void {
  for (const [a, b] of pairs) {
    expect(cmp(a, b), `${a} = ${b}`).toBe(0);
    expect(cmp(b, a), `${b} = ${a}`).toBe(0);
  }
}

describe('nuget scheme: what NuGetVersion.Parse accepts', () => {
  it('normalises as ToNormalizedString does (missing parts 0, leading zeros dropped, revision 0 omitted, metadata dropped)', () => {
    const cases: Array<[string, string]> = [
      // VersionParsingTests.VersionLength
      ['2', '2.0.0'],
      ['2.0', '2.0.0'],
      ['2.0.0', '2.0.0'],
      ['2.0.0.0', '2.0.0'],
      // NuGetVersionTest.ToStringReturnsNormalizedForSemVer2
      ['1.0+A', '1.0.0'],
      ['1.0-1.1', '1.0.0-1.1'],
      ['1.0-1.1+B.B', '1.0.0-1.1'],
      ['1.0.0009.01-1.1+A', '1.0.9.1-1.1'],
      // NuGetVersionTest.StringConstructorParsesValuesCorrectly, ParseReads*VersionNumbers
      ['3.4.0.3-RC-3', '3.4.0.3-RC-3'],
      ['1.0.0-beta.x.y.5.79.0+AA', '1.0.0-beta.x.y.5.79.0'],
      ['1.022', '1.22.0'],
      ['1.3.42.10133', '1.3.42.10133'],
      ['1.3.42.200930-RC-2', '1.3.42.200930-RC-2'],
      // NuGetVersionTest.ParseIgnoresLeadingAndTrailingWhitespace
      ['  1.022-Beta', '1.22.0-Beta'],
      ['    1.3.42.10133-PreRelease  ', '1.3.42.10133-PreRelease'],
      // The documentation's "Normalized version numbers"
      ['1.00', '1.0.0'],
      ['1.01.1', '1.1.1'],
      ['1.00.0.1', '1.0.0.1'],
      ['1.0.01.0', '1.0.1'],
      ['1.0.7+r3456', '1.0.7'],
    ];
    for (const [input, normalized] of cases) expect(parse(input).normalized, input).toBe(normalized);
  });

  it('accepts white space around each number, and numbers up to 2147483647 with any leading zeros (TryParseHandlesValidVersionPatterns)', () => {
    const cases: Array<[string, string]> = [
      ['   19', '19.0.0'],
      ['   19.   19.   19.   19', '19.19.19.19'],
      ['19   .19   .19   ', '19.19.19'],
      ['   19   .   19   .   19   .   19   ', '19.19.19.19'],
      ['01.1.1.1', '1.1.1.1'],
      ['1.1.1.01', '1.1.1.1'],
      ['2147483647.1.1.1', '2147483647.1.1.1'],
      ['1.1.1.2147483647', '1.1.1.2147483647'],
      ['000000000000000000002147483647.0', '2147483647.0.0'],
      // .NET's white space, not JavaScript's: U+00A0 and U+3000 are trimmed...
      ['\u00a01.0\u3000', '1.0.0'],
      ['1.0 -beta', '1.0.0-beta'],
    ];
    for (const [input, normalized] of cases) expect(parse(input).normalized, JSON.stringify(input)).toBe(normalized);
    // ...U+FEFF is not (char.IsWhiteSpace is false for it).
    expect(reasonOf('\ufeff1.0')).toMatch(/U\+FEFF/);
  });

  it('accepts the labels and metadata SemVer 2.0 allows (SemVer201SpecTests)', () => {
    for (const v of [
      '0.1.2-Alpha.2.34.5.453.345.345.345.345.A.B.bbbbbbb.Csdfdfdf',
      '0.1.2-Alpha-2-5Bdd',
      '0.1.2--',
      '0.1.2--B-C-',
      '0.1.2--B2.-.C.-A0-',
      '0.1.2-02A',
      '0.1.2-2.A.02-',
      '0.1.2+02.02-02',
      '0.1.2+000000',
      '0.1.2+203-49244.23-3.34-4.0-.-.-',
      '0.1.2----+----',
      '1.2.3-X.yZ.3.234.243.3242342+METADATA',
      '1.0.0-RC.X.35.A.3455+Meta-A-B-C',
    ]) {
      expect(() => parse(v), v).not.toThrow();
    }
  });

  it('refuses every string NuGetVersionTest.ParseThrowsIfStringIsNotAValidSemVer lists, naming it', () => {
    const refused = [
      '         ', '1beta', '1.2Av^c', '1.2..', '1.2.3.4.5', '1.2.3.Beta', '1.2.3.4This version is full of awesomeness!!',
      'So.is.this', '1.34.2Alpha', '1.34.2Release Candidate', '1.4.7-', '1.4.7-*', '1.4.7+*', '1.4.7-AA.01^', '1.4.7-AA.0A^',
      '1.4.7-A^A', '1.4.7+AA.01^', '1.2147483648', '1.1.2147483648', '1.1.1.2147483648', '1.1.1.1.2147483648',
      '10000000000000000000', '1.10000000000000000000', '1.1.10000000000000000000', '1.1.1.1.10000000000000000000', '1..2',
      '....', '..1', '-1.1.1.1', '1.-1.1.1', '1.1.-1.1', '1.1.1.-1', '1.', '1.1.', '1.1.1.', '1.1.1.1.', '1.1.1.1.1.',
      '1     1.1.1.1', '1.1     1.1.1', '1.1.1     1.1', '1.1.1.1     1', ' .1.1.1', '1. .1.1', '1.1. .1', '1.1.1. ', '1 .',
      '1.1 .', '1.1.1 .', '1.1.1.1 .', '2147483648.2.3.4', '1.2147483648.3.4', '1.2.2147483648.4', '1.2.3.2147483648',
      '..1.2', '-1.2.3.4', '1.-2.3.4', '1.2.-3.4', '1.2.3.-4', '   1 9', '   19.   1 9', '   19.   19.   1 9',
      '   19.   19.   19.   1 9', '1 9   ', '19   .1 9   ', '19   .19   .1 9   ', '19   .19   .19   .1 9   ', '   1 9   ',
      '   19   .   1 9   ', '   19   .   19   .   1 9   ', '   19   .   19   .   19   .   1 9   ',
      // NuGetVersionTest.ParseThrowsIfStringIsNullOrEmpty, TryParseReturnsFalseWhenUnableToParseString
      '', 'NotAVersion', 'v1.0.0',
      // SemVer201SpecTests: empty, invalid and leading-zero labels; empty and invalid metadata
      '0.1.2-Alpha..2', '0.1.2-Alpha.', '0.1.2-.AA', '0.1.2-', '0.1.2-alp=ha', '0.1.2-alp┐jj', '0.1.2-a&444', '0.1.2-a.&.444',
      '0.1.2-02', '0.1.2-2.02', '0.1.2-2.A.02', '0.1.2-02.A', '0.1.2+ÄÄ', '0.1.2+22.2ÄÄ', '0.1.2+2+A', '0.1.2+02A.', '0.1.2+02..A',
      '0.1.2+',
    ];
    for (const v of refused) expect(reasonOf(v), JSON.stringify(v)).toMatch(/^.*invalid NuGet version: /);
  });

  it('says why a string is refused', () => {
    const reasons: Array<[string, RegExp]> = [
      ['', /version string is empty/],
      [' \t\u2028 ', /version string is empty/],
      ['v1.0.0', /starts with 'v' \(NuGet accepts no 'v' prefix\)/],
      ['V1.0', /starts with 'V'/],
      ['1.2.3.4.5', /more than four numbers/],
      ['1.2147483648', /number 2 is above 2147483647 \(NuGet reads each number as a 32-bit integer/],
      ['99999999999999999999999', /number 1 is above 2147483647/],
      ['1..2', /number 2 is empty/],
      ['1.', /the numbers end with '\.'/],
      ['1 9', /white space inside number 1/],
      ['1.0a', /contains 'a' in the numbers/],
      ['1.x', /contains 'x' where number 2 should start/],
      ['-1.0', /no version number before '-'/],
      ['+build', /no version number before '\+'/],
      ['1.0.0-', /empty pre-release label/],
      ['1.0.0-a..b', /empty pre-release label/],
      ['1.0.0-beta 1', /pre-release label "beta 1" contains a space/],
      ['1.0.0-01', /numeric pre-release label "01" has a leading zero/],
      ['1.0.0+', /empty build metadata part/],
      ['1.0.0+a_b', /build metadata part "a_b" contains '_'/],
      ['1.0.0-é', /U\+00E9/],
    ];
    for (const [input, reason] of reasons) expect(reasonOf(input), JSON.stringify(input)).toMatch(reason);
  });
});

describe('nuget scheme: VersionComparer.Default order', () => {
  it("sorts the documentation's example: release first, then pre-releases in reverse label order", () => {
    expectAscending(['1.0.1-aaa', '1.0.1-alpha10', '1.0.1-alpha2', '1.0.1-beta', '1.0.1-open', '1.0.1-rc.2', '1.0.1-rc.10', '1.0.1-zzz', '1.0.1']);
  });

  it('orders the pairs of VersionComparerTests.VersionComparisonDefaultLess and the SemVer 2.0 sort tests', () => {
    const less: Array<[string, string]> = [
      ['0.0.0', '1.0.0'],
      ['1.0.0', '1.1.0'],
      ['1.0.0', '1.0.1'],
      ['1.999.9999', '2.1.1'],
      ['1.0.0-BETA', '1.0.0-beta2'],
      ['1.0.0-beta+AA', '1.0.0+aa'],
      ['1.0.0-BETA', '1.0.0-beta.1+AA'],
      ['1.0.0-BETA.X.y.5.77.0+AA', '1.0.0-beta.x.y.5.79.0+aa'],
      ['1.0.0-BETA.X.y.5.79.0+AA', '1.0.0-beta.x.y.5.790.0+abc'],
      // SemVer201SpecTests: SemVerSort*
      ['1.2.3', '1.2.4'],
      ['9.9.9', '10.1.1'],
      ['1.2.3-alpha', '1.2.3'],
      ['1.2.3-2', '1.2.3-3'],
      ['1.2.3-1.9', '1.2.3-1.50'],
      ['1.2.3-2A', '1.2.3-3A'],
      ['1.2.3-1.50A', '1.2.3-1.9A'],
      ['1.2.3-999999', '1.2.3-Z'],
      ['1.2.3-A.999999', '1.2.3-A.56-2'],
      ['1.2.3-a', '1.2.3-a.2'],
      ['1.2.3-a.2.3.4', '1.2.3-a.2.3.4.5'],
      // NuGetVersionTest.SemVerLessThanAndGreaterThanOperatorsWorks
      ['1.0', '1.0.1'],
      ['1.23', '1.231'],
      ['1.4.5.6', '1.45.6'],
      ['1.4.5.6', '1.4.5.60'],
      ['1.01', '1.10'],
      ['1.01-alpha', '1.10-beta'],
      ['1.01.0-RC-1', '1.10.0-rc-2'],
      ['1.01-RC-1', '1.01'],
      ['1.01', '1.2-preview'],
    ];
    for (const [a, b] of less) expectAscending([a, b]);
  });

  it('finds equal what VersionComparer.Default finds equal: padding, leading zeros, label case, metadata', () => {
    expectEqual([
      // VersionComparerTests.VersionComparisonDefaultEqual(WithNuGetVersion)
      ['1.0.0', '1.0.0'],
      ['1.0.0-BETA', '1.0.0-beta'],
      ['1.0.0-BETA+AA', '1.0.0-beta+aa'],
      ['1.0.0-BETA.X.y.5.77.0+AA', '1.0.0-beta.x.y.5.77.0+aa'],
      ['1.0.0', '1.0.0+beta'],
      ['1.0', '1.0.0.0'],
      ['1.0+test', '1.0.0.0'],
      ['1.0.0.1-1.2.A', '1.0.0.1-1.2.a+A'],
      ['1.0.01', '1.0.1.0'],
      // NuGetVersionTest.SemVerEqualsOperatorWorks
      ['1.23.01', '1.23.1'],
      ['1.45.6', '1.45.6.0'],
      ['1.6.2-BeTa', '1.6.02-beta'],
      ['22.3.07     ', '22.3.07'],
      ['1.0', '1.0.0.0+beta'],
      ['1.0.0.0+beta.2', '1.0.0.0+beta.1'],
      // SemVer201SpecTests.SemVerSortIgnoreReleaseCasing
      ['1.2.3-a', '1.2.3-A'],
      ['1.2.3-A-b2-C', '1.2.3-a-B2-c'],
    ]);
    // VersionComparerTests.VersionComparisonDefaultNotEqual(WithNuGetVersion)
    for (const [a, b] of [
      ['1.0', '1.0.0.1'],
      ['1.0+test', '1.0.0.1'],
      ['1.0.0.1-1.2.A', '1.0.0.1-1.2.a.A+A'],
      ['1.0.01', '1.0.1.2'],
      ['1.0.0+AA', '1.0.0-beta+aa'],
      ['1.0.0-BETA+AA', '1.0.0-beta2'],
    ] as const) {
      expect(cmp(a, b), `${a} != ${b}`).not.toBe(0);
    }
  });

  it('compares the fourth number (Revision) after Patch and before the labels', () => {
    expectAscending(['1.0.0-beta', '1.0.0', '1.0.0.1-alpha', '1.0.0.1-beta', '1.0.0.1', '1.0.0.2', '1.0.0.10', '1.0.1-alpha', '1.0.1', '1.0.1.1', '1.1']);
  });

  it('compares labels part by part: numbers by value, numbers before text, text ignoring case, fewer parts first', () => {
    expectAscending(['1.0.0-0', '1.0.0-2', '1.0.0-10', '1.0.0-2147483647', '1.0.0--', '1.0.0-a', '1.0.0-a.0', '1.0.0-a.1', '1.0.0-a.b', '1.0.0-A-', '1.0.0-ab', '1.0.0-B']);
    expectEqual([['1.0.0-RC.1', '1.0.0-rc.1'], ['1.0.0-Preview-X', '1.0.0-PREVIEW-x']]);
  });

  it("follows int.TryParse for what a numeric label is: '-1' is a number, 2147483648 and above are text", () => {
    // NuGet asks int.TryParse: an Int32, with the sign a label may carry.
    expectAscending(['1.0.0--2147483648', '1.0.0--1', '1.0.0-0', '1.0.0-2147483647']);
    expectEqual([['1.0.0--0', '1.0.0-0']]);
    // Past Int32, a timestamp label is text: compared character by character, after every number.
    expectAscending(['1.0.0-2147483647', '1.0.0--2147483649', '1.0.0-10000000000', '1.0.0-2147483648', '1.0.0-a']);
    expectAscending(['1.0.0-ci.20240101000000', '1.0.0-ci.20240102000000', '1.0.0-ci.a']);
  });

  it('compares Int32 extremes exactly', () => {
    expectAscending(['2147483646', '2147483647', '2147483647.0.0.1', '2147483647.2147483647.2147483647.2147483647']);
  });

  it("is the scheme of OSV's NuGet ecosystem", () => {
    expect(schemeFor('NuGet')).toBe(nugetScheme);
    expect(schemeFor('nuget')).toBe(nugetScheme);
  });
});
