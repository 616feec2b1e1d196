import { describe, expect, it } from 'vitest';
import { compareKeys, keyFromCodes, pushNumber } from './order-key.js';

function numberKey(digits: string): string {
  const codes: number[] = [];
  pushNumber(codes, digits, 0, digits.length);
  return keyFromCodes(codes);
}

describe('order keys', () => {
  it('encode numbers of any length in numeric order, ignoring leading zeros', () => {
    const ascending = ['', '1', '2', '9', '10', '99', '100', '9'.repeat(199), '1' + '0'.repeat(199), '9'.repeat(200), '1' + '0'.repeat(200), '1' + '0'.repeat(1000)];
    for (let i = 1; i < ascending.length; i++) expect(compareKeys(numberKey(ascending[i - 1]!), numberKey(ascending[i]!))).toBe(-1);
    expect(numberKey('000123')).toBe(numberKey('123'));
    expect(numberKey('0')).toBe(numberKey(''));
  });

  it('build one-byte strings, also past the String.fromCharCode argument chunk', () => {
    const codes = Array.from({ length: 10_000 }, (_, i) => i % 256);
    const key = keyFromCodes(codes);
    expect(key).toHaveLength(10_000);
    expect(key.charCodeAt(9999)).toBe(9999 % 256);
  });
});
