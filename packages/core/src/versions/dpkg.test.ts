import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { expectRejections } from '../../test/support/version-rejections.js';
import { dpkgScheme } from './dpkg.js';

const cmp = (a: string, b: string): number => Math.sign(dpkgScheme.compare(dpkgScheme.parse(a), dpkgScheme.parse(b)));

describe('dpkgScheme', () => {
  it('splits epoch, upstream and revision as dpkg does', () => {
    expect(dpkgScheme.parse('1:2.30-1ubuntu0.1')).toMatchObject({ epoch: '1', upstream: '2.30', revision: '1ubuntu0.1' });
    expect(dpkgScheme.parse('1:2:3-4-5')).toMatchObject({ epoch: '1', upstream: '2:3-4', revision: '5' });
    expect(dpkgScheme.parse(' \t1.0 ')).toMatchObject({ text: '1.0', epoch: '', upstream: '1.0', revision: '' });
  });

  it('orders ~ before everything, the end before letters, letters before other characters', () => {
    expect(cmp('1.0~rc1', '1.0')).toBe(-1);
    expect(cmp('1.0~~', '1.0~')).toBe(-1);
    expect(cmp('1.0', '1.0a')).toBe(-1);
    expect(cmp('1.0a', '1.0+')).toBe(-1);
    expect(cmp('1.0Z', '1.0a')).toBe(-1);
    expect(cmp('1.0', '1.0.')).toBe(-1);
  });

  it('compares digit runs numerically at any length', () => {
    expect(cmp('1.09', '1.9')).toBe(0);
    expect(cmp('1.99999999999999999999', '1.100000000000000000000')).toBe(-1);
    expect(cmp('0000000000000000000000000001', '1')).toBe(0);
  });

  it('compares epochs first and treats a missing revision like 0', () => {
    expect(cmp('1:0.1', '9.9')).toBe(1);
    expect(cmp('0:1.0', '1.0')).toBe(0);
    expect(cmp('1.0-0', '1.0')).toBe(0);
    expect(cmp('1.0-1', '1.0')).toBe(1);
    expect(cmp('1.0-1~bpo1', '1.0-1')).toBe(-1);
  });

  it("rejects what dpkg reports as an error, naming the string and dpkg's reason", () => {
    const cases: Array<[string, string]> = [
      ['', 'version string is empty'],
      ['  ', 'version string is empty'],
      ['1 0', 'embedded spaces'],
      [':1.0', 'epoch in version is empty'],
      ['a:1.0', 'epoch in version is not a number'],
      ['+1:1.0', 'epoch in version is not a number'],
      ['2147483648:1.0', 'epoch in version is too big'],
      ['1:', 'nothing after colon'],
      ['1.0-', 'revision number is empty'],
      ['-1', 'version number is empty'],
    ];
    expectRejections(dpkgScheme, cases);
  });

  it('rejects what dpkg only warns about when reading its database (documented choice)', () => {
    expect(caught(() => dpkgScheme.parse('a1.0')).message).toContain('version number does not start with digit');
    expect(caught(() => dpkgScheme.parse('~1')).message).toContain('does not start with digit');
    expect(caught(() => dpkgScheme.parse('1.0_1')).message).toContain("invalid character '_' in version number");
    expect(caught(() => dpkgScheme.parse('1.0-1_2')).message).toContain("invalid character '_' in revision number");
    expect(caught(() => dpkgScheme.parse('1:1.0-1:2')).message).toContain("invalid character ':' in revision number");
    expect(caught(() => dpkgScheme.parse('1.0é')).message).toContain('U+00E9');
  });
});
