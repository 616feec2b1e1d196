import { describe, expect, it } from 'vitest';
import { expectRejections } from '../../test/support/version-rejections.js';
import { rpmScheme } from './rpm.js';

const cmp = (a: string, b: string): number => Math.sign(rpmScheme.compare(rpmScheme.parse(a), rpmScheme.parse(b)));

describe('rpmScheme', () => {
  it('splits [epoch:]version[-release] as OSV writes it', () => {
    expect(rpmScheme.parse('2:1.0.1-38.module_el8.9.0+3627+db8ec155')).toMatchObject({
      epoch: '2',
      version: '1.0.1',
      release: '38.module_el8.9.0+3627+db8ec155',
    });
    expect(rpmScheme.parse('1.26.0')).toMatchObject({ epoch: '', version: '1.26.0', release: undefined });
  });

  it('follows rpmvercmp: ~ before the end, ^ after it, letters before numbers', () => {
    expect(cmp('1.0~rc1', '1.0')).toBe(-1);
    expect(cmp('1.0^git1', '1.0')).toBe(1);
    expect(cmp('1.0^git1', '1.0.1')).toBe(-1);
    expect(cmp('1.0a', '1.0.1')).toBe(-1);
    expect(cmp('1.0_1', '1.0.1')).toBe(0);
    expect(cmp('1.01', '1.1')).toBe(0);
    expect(cmp('1.99999999999999999999', '1.100000000000000000000')).toBe(-1);
  });

  it('compares epoch (missing = 0), then version, then release; a missing release sorts first', () => {
    expect(cmp('1:1.26.0-14.el8_3', '2:1.0-1')).toBe(-1);
    expect(cmp('0:1.0-1', '1.0-1')).toBe(0);
    expect(cmp('1.0', '1.0-1')).toBe(-1);
    expect(cmp('1.0-1.el8', '1.0-1.el8_3')).toBe(-1);
  });

  it('rejects strings rpm cannot produce, naming the string and the reason', () => {
    const cases: Array<[string, string]> = [
      ['', 'version string is empty'],
      [':1.0', 'epoch is empty'],
      ['1:', 'nothing after the epoch'],
      ['1.0-', 'release is empty'],
      ['1-2-3', "more than one '-'"],
      ['a:1.0', "invalid character ':'"],
      ['1.0..1', "'..'"],
      ['1.0 1', 'a space'],
      ['1.0%{dist}', "invalid character '%'"],
    ];
    expectRejections(rpmScheme, cases);
  });
});
