import { describe, expect, it } from 'vitest';
import { parseSourceRpm, withEpoch } from './package-version.js';

describe('withEpoch', () => {
  it('prefixes a non-zero epoch', () => {
    expect(withEpoch('1.26.0-14.el8_3', '1')).toBe('1:1.26.0-14.el8_3');
  });
  it('drops epoch 0 and an empty epoch', () => {
    expect(withEpoch('1.0.6-2.el8_4', '0')).toBe('1.0.6-2.el8_4');
    expect(withEpoch('1.0.6-2.el8_4', '')).toBe('1.0.6-2.el8_4');
    expect(withEpoch('0:1.0.6-2.el8_4', '')).toBe('1.0.6-2.el8_4');
  });
  it('keeps an epoch already in the version', () => {
    expect(withEpoch('2:8.2.2637-20.el9_1', '2')).toBe('2:8.2.2637-20.el9_1');
    expect(withEpoch('2:8.2.2637-20.el9_1', '')).toBe('2:8.2.2637-20.el9_1');
  });
});

describe('parseSourceRpm', () => {
  it('splits NAME-VERSION-RELEASE.src.rpm', () => {
    expect(parseSourceRpm('openssl-3.0.7-27.el9.src.rpm', '1')).toEqual({ name: 'openssl', version: '1:3.0.7-27.el9' });
    expect(parseSourceRpm('python3.9-3.9.18-3.el9.src.rpm', '')).toEqual({ name: 'python3.9', version: '3.9.18-3.el9' });
    expect(parseSourceRpm('perl-Carp-1.50-460.el9.nosrc.rpm', '')).toEqual({ name: 'perl-Carp', version: '1.50-460.el9' });
  });
  it('refuses other shapes', () => {
    expect(parseSourceRpm('(none)', '')).toBeUndefined();
    expect(parseSourceRpm('openssl', '')).toBeUndefined();
    expect(parseSourceRpm('openssl-3.0.7.src.rpm', '')).toBeUndefined();
  });
});
