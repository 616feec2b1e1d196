/**
 * The Pub scheme against pub_semver's rules (lib/src/version.dart `compareTo`, `_compareLists`;
 * lib/src/patterns.dart). The rows marked "pub_semver's test" are version strings and expected
 * orderings from dart-lang/pub_semver test/version_test.dart (Copyright (c) 2014, the Dart project
 * authors; BSD-3-Clause), used as test data: the sorted `comparison` list, the `equality` pairs
 * and the `parse()` cases.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../test/support/seeded-random.js';
import { expectRejections } from '../../test/support/version-rejections.js';
import { schemeFor } from './ecosystems.js';
import { pubScheme } from './pub.js';

const cmp = (a: string, b: string): number => Math.sign(pubScheme.compare(pubScheme.parse(a), pubScheme.parse(b)));

function expectAscending(versions: readonly string[]): void {
  for (let i = 0; i < versions.length; i++) {
    for (let j = 0; j < versions.length; j++) {
      expect(cmp(versions[i]!, versions[j]!), `${versions[i]} vs ${versions[j]}`).toBe(Math.sign(i - j));
    }
  }
}

describe('pub scheme (pub_semver Version.compareTo)', () => {
  it("orders pub_semver's test list exactly, every pair (pub_semver's test)", () => {
    expectAscending([
      '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0-rc.1+build.1', '1.0.0',
      '1.0.0+0.3.7', '1.3.7+build', '1.3.7+build.2.b8f12d7', '1.3.7+build.11.e0f985a', '2.0.0', '2.1.0', '2.2.0', '2.11.0', '2.11.1',
    ]);
  });

  it("reads leading zeros as the same numbers, in the version and its identifiers (pub_semver's test)", () => {
    for (const [a, b] of [['01.2.3', '1.2.3'], ['1.02.3', '1.2.3'], ['1.2.03', '1.2.3'], ['1.2.3-01', '1.2.3-1'], ['1.2.3+01', '1.2.3+1']] as const) {
      expect(cmp(a, b), `${a} = ${b}`).toBe(0);
    }
    expect(cmp('001.02.0003-01.dev+pre.002', '1.2.3-1.dev+pre.2')).toBe(0);
  });

  it('puts a pre-release before its release, whatever its build', () => {
    expectAscending(['1.0.0-rc.1', '1.0.0-rc.1+zzz', '1.0.0', '1.0.0+0']);
    expect(cmp('2.0.0-alpha', '1.9.9+build')).toBe(1);
  });

  it('orders build metadata, unlike SemVer: none first, then identifier by identifier', () => {
    expectAscending(['1.0.0', '1.0.0+0', '1.0.0+1', '1.0.0+2', '1.0.0+10', '1.0.0+a', '1.0.0+a.0', '1.0.0+a.b', '1.0.0+b', '1.0.1']);
    // Flutter apps number builds: 1.2.3+4 < 1.2.3+12.
    expect(cmp('1.2.3+4', '1.2.3+12')).toBe(-1);
  });

  it('compares identifiers: an ended list first, numbers before words, numbers by value, words by code unit', () => {
    expectAscending(['1.0.0-0', '1.0.0-1', '1.0.0-9', '1.0.0-10', '1.0.0--', '1.0.0-0a', '1.0.0-A', '1.0.0-RC', '1.0.0-a', '1.0.0-a.0', '1.0.0-a.a', '1.0.0-ab', '1.0.0-rc']);
  });

  it("reads identifiers past 2^63-1 as words, as Dart's int.tryParse gives up on them", () => {
    expectAscending([
      '1.0.0-9223372036854775806',
      '1.0.0-9223372036854775807', // the largest number
      '1.0.0-10000000000000000000', // words from here: compared character by character
      '1.0.0-9223372036854775808',
      '1.0.0-a',
    ]);
    expect(cmp('1.0.0-00009223372036854775807', '1.0.0-9223372036854775807')).toBe(0);
    expect(cmp('9223372036854775807.0.0', '9223372036854775806.99.99')).toBe(1);
  });

  it("is compareTo, not Version.prioritize (pub's solver preference that puts every pre-release last)", () => {
    // prioritize's test list ranks 2.0.0-alpha below 1.0.0; in compareTo, the order of ranges, it is above 1.1.0.
    expect(cmp('2.0.0-alpha', '1.0.0')).toBe(1);
    expect(cmp('2.0.0-alpha', '1.1.0')).toBe(1);
  });

  it("parses pub_semver's valid examples and refuses its invalid ones (pub_semver's test)", () => {
    for (const v of ['0.0.0', '12.34.56', '1.2.3-alpha.1', '1.2.3-x.7.z-92', '1.2.3+build.1', '1.2.3+x.7.z-92', '1.0.0-rc-1+build-1', '001.02.0003-01.dev+pre.002']) {
      expect(pubScheme.parse(v).text).toBe(v);
    }
    expectRejections(pubScheme, [
      ['1.0', 'must start with MAJOR.MINOR.PATCH'],
      ['1.2.3.4', "contains '.' where it may not"],
      ['1234', 'must start with MAJOR.MINOR.PATCH'],
      ['-2.3.4', 'must start with MAJOR.MINOR.PATCH'],
      ['1.3-pre', 'must start with MAJOR.MINOR.PATCH'],
      ['1.3+build', 'must start with MAJOR.MINOR.PATCH'],
      ['1.3+bu?!3ild', 'must start with MAJOR.MINOR.PATCH'],
    ]);
  });

  it('refuses other invalid strings, naming the string and the reason', () => {
    expectRejections(pubScheme, [
      ['', 'version string is empty'],
      ['v1.0.0', 'must start with MAJOR.MINOR.PATCH'],
      [' 1.0.0', 'must start with MAJOR.MINOR.PATCH'],
      ['1.0.0 ', "contains a space where it may not"],
      ['1.0.0-', 'empty pre-release identifier at the end'],
      ['1.0.0+', 'empty build identifier at the end'],
      ['1.0.0-a..b', "empty pre-release identifier before '.'"],
      ['1.0.0+a.', 'empty build identifier at the end'],
      ['1.0.0-a_b', "contains '_' where it may not"],
      ['1.0.0-a+b+c', "contains '+' where it may not"],
      ['1.0.0-é', 'empty pre-release identifier before U+00E9'],
      ['9223372036854775808.0.0', 'major number 9223372036854775808 is above 2^63-1'],
      ['1.0.99999999999999999999', 'patch number 99999999999999999999 is above 2^63-1'],
    ]);
  });

  it("refuses on purpose what pub_semver reads through its unescaped dots and Dart's int.tryParse", () => {
    expectRejections(pubScheme, [
      // pub_semver: 1.2.3, 1.2.4 and 1.3.5 (any character separates the three numbers).
      ['1x2x3', 'must start with MAJOR.MINOR.PATCH'],
      ['1.234', 'must start with MAJOR.MINOR.PATCH'],
      ['12345', 'must start with MAJOR.MINOR.PATCH'],
      // pub_semver: the numbers 31, -1 and -31.
      ['1.0.0-0x1f', "pre-release identifier '0x1f' is one Dart reads as a signed or hexadecimal number"],
      ['1.0.0+-1', "build identifier '-1' is one Dart reads"],
      ['1.0.0-rc.-0X1F', "'-0X1F' is one Dart reads"],
    ]);
    // Near misses stay words, as they do for int.tryParse.
    for (const v of ['1.0.0-0x', '1.0.0-0xg', '1.0.0--', '1.0.0---1', '1.0.0-a-1', '1.0.0-1-']) expect(pubScheme.parse(v).text).toBe(v);
    expect(cmp('1.0.0-0x', '1.0.0-1')).toBe(1);
  });

  it('agrees with a direct reading of compareTo on 20,000 seeded pairs (the order key is that order)', () => {
    const next = seededRandom(0x9b5e);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const ids = ['0', '1', '2', '10', '01', '9223372036854775807', '9223372036854775808', '10000000000000000000', 'a', 'A', 'ab', 'rc', 'RC', '-', '0a', '0x', 'z9'];
    const list = () => Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(ids)).join('.');
    const random = () => `${pick(['0', '1', '01', '2', '10'])}.${pick(['0', '1', '9'])}.${pick(['0', '3'])}${next() < 0.5 ? `-${list()}` : ''}${next() < 0.5 ? `+${list()}` : ''}`;
    const fits = (d: string) => BigInt(d) <= 2n ** 63n - 1n;
    const part = (p: string): bigint | string => (/^[0-9]+$/.test(p) && fits(p) ? BigInt(p) : p);
    const parts = (s: string | undefined) => (s === undefined ? [] : s.split('.').map(part));
    // compareTo as the rules in docs/versions.md state it, on values rather than keys.
    const lists = (a: ReadonlyArray<bigint | string>, b: ReadonlyArray<bigint | string>): number => {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const x = a[i];
        const y = b[i];
        if (x === y) continue;
        if (x === undefined) return -1;
        if (y === undefined) return 1;
        if (typeof x !== typeof y) return typeof x === 'bigint' ? -1 : 1;
        return x < y ? -1 : 1;
      }
      return 0;
    };
    const direct = (a: string, b: string): number => {
      const [, ma, pa, ba] = /^([^-+]*)(?:-([^+]*))?(?:\+(.*))?$/.exec(a)!;
      const [, mb, pb, bb] = /^([^-+]*)(?:-([^+]*))?(?:\+(.*))?$/.exec(b)!;
      const main = lists(parts(ma), parts(mb));
      if (main !== 0) return main;
      if ((pa === undefined) !== (pb === undefined)) return pa === undefined ? 1 : -1;
      return lists(parts(pa), parts(pb)) || lists(parts(ba), parts(bb));
    };
    for (let i = 0; i < 20_000; i++) {
      const a = random();
      const b = next() < 0.3 ? a.replace(/[0-9]$/, '0') : random();
      expect(cmp(a, b), `${a} vs ${b}`).toBe(direct(a, b));
    }
  });

  it("is the scheme of OSV's Pub ecosystem", () => {
    expect(schemeFor('Pub')).toBe(pubScheme);
  });
});
