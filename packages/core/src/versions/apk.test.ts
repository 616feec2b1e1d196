import { describe, expect, it } from 'vitest';
import { expectRejections } from '../../test/support/version-rejections.js';
import { apkFuzzyMatches, apkScheme } from './apk.js';

const cmp = (a: string, b: string): number => Math.sign(apkScheme.compare(apkScheme.parse(a), apkScheme.parse(b)));

describe('apkScheme', () => {
  it('orders pre-release suffixes before the release and post-release ones after it', () => {
    const ascending = ['1.0_alpha', '1.0_alpha1', '1.0_beta', '1.0_pre1', '1.0_rc1', '1.0', '1.0-r1', '1.0_cvs', '1.0_p1', '1.0a', '1.0.1'];
    for (let i = 1; i < ascending.length; i++) expect(cmp(ascending[i - 1]!, ascending[i]!), `${ascending[i - 1]} < ${ascending[i]}`).toBe(-1);
  });

  it('compares a .number with a leading zero as a string, the first number as a number', () => {
    expect(cmp('1.01', '1.1')).toBe(-1);
    expect(cmp('1.0', '1.00')).toBe(-1);
    expect(cmp('8.2.0015', '8.2.002')).toBe(-1);
    expect(cmp('006', '6')).toBe(0);
    expect(cmp('1.99999999999999999999', '1.100000000000000000000')).toBe(-1);
  });

  it('orders commit hashes and revisions', () => {
    expect(cmp('1.0~1234', '1.0~2345')).toBe(-1);
    expect(cmp('1.0~1234-r1', '1.0~1234-r0')).toBe(1);
    expect(cmp('1.0-r10', '1.0-r9')).toBe(1);
  });

  it("implements apk's fuzzy match as a token prefix", () => {
    const fuzzy = (a: string, b: string): boolean => apkFuzzyMatches(apkScheme.parse(a), apkScheme.parse(b));
    expect(fuzzy('3.6.9_p1', '3.6')).toBe(true);
    expect(fuzzy('3.6', '3.6')).toBe(true);
    expect(fuzzy('3.8', '3.8.1')).toBe(false);
    expect(fuzzy('3.60', '3.6')).toBe(false);
  });

  it('rejects what apk_version_validate rejects, naming the string and the reason', () => {
    const cases: Array<[string, string]> = [
      ['', 'version string is empty'],
      ['.1', 'starts with a digit'],
      ['1.0bc', "letter 'c' after the letter"],
      ['0.1a1', 'a digit right after a letter'],
      ['0.1_foobar', "unknown suffix '_foobar'"],
      ['0.1_', 'not followed by a suffix name'],
      ['0.1_pre2~', 'hexadecimal commit hash'],
      ['0.1-r2_pre1', "'_' suffix after the revision"],
      ['0.1-r', 'not followed by a revision number'],
      ['0.1-pre1', "not followed by 'r'"],
      ['1.0-r1-r2', 'a second revision'],
      ['1.0 ', 'a space'],
      ['1.0A', "invalid character 'A'"],
    ];
    expectRejections(apkScheme, cases);
  });
});
