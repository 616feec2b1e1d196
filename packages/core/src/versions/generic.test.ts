import { describe, expect, it } from 'vitest';
import { expectRejections } from '../../test/support/version-rejections.js';
import { genericScheme } from './generic.js';

const cmp = (a: string, b: string): number => Math.sign(genericScheme.compare(genericScheme.parse(a), genericScheme.parse(b)));

describe('genericScheme', () => {
  it('tokenises into numeric and alphabetic runs; other characters only separate', () => {
    expect(genericScheme.parse('v1.02-RC_3').tokens).toEqual(['1', '2', 'rc', '3']);
    expect(genericScheme.parse('v1.02-RC_3').numeric).toEqual([true, true, false, true]);
    expect(cmp('1.0', '1-0')).toBe(0);
    expect(cmp('v1.2', '1.2')).toBe(0);
    expect(cmp('vim1', '1')).toBe(-1);
  });

  it('reads an ended list as 0 and alphabetic tokens as older than numeric ones', () => {
    expect(cmp('1', '1.0.0')).toBe(0);
    expect(cmp('1.0-rc1', '1.0')).toBe(-1);
    expect(cmp('1.0-alpha', '1.0-beta')).toBe(-1);
    expect(cmp('1.0-RC1', '1.0-rc1')).toBe(0);
    expect(cmp('1.0.a', '1.0.0')).toBe(-1);
    expect(cmp('1.0', '1.0.1')).toBe(-1);
    expect(cmp('1.10', '1.9')).toBe(1);
    expect(cmp('1.99999999999999999999', '1.100000000000000000000')).toBe(-1);
    expect(cmp('a', 'ab')).toBe(-1);
  });

  it('is a total preorder on a sample (antisymmetric and transitive)', () => {
    const sample = ['1', '1.0', '1.0.0', '1.0-rc1', '1.0a', '1.0.1', 'a', 'b', '1.a', '0', '0.0', '1.0-0', '2', '1.0.0.1', '1.0-rc1.1'];
    const parsed = sample.map((s) => genericScheme.parse(s));
    for (const a of parsed) {
      for (const b of parsed) {
        expect(genericScheme.compare(a, b) > 0).toBe(genericScheme.compare(b, a) < 0);
        expect(genericScheme.compare(a, b) === 0).toBe(genericScheme.compare(b, a) === 0);
        for (const c of parsed) {
          if (genericScheme.compare(a, b) <= 0 && genericScheme.compare(b, c) <= 0) expect(genericScheme.compare(a, c)).toBeLessThanOrEqual(0);
        }
      }
    }
  });

  it('rejects empty strings, whitespace, non-ASCII and strings without letters or digits', () => {
    const cases: Array<[string, string]> = [
      ['', 'version string is empty'],
      ['1.0 ', 'a space'],
      ['1.0\n', 'U+000A'],
      ['1.0é', 'U+00E9'],
      ['...', 'contains no letter or digit'],
    ];
    expectRejections(genericScheme, cases);
  });
});
