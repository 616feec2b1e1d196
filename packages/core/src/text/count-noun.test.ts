import { describe, expect, it } from 'vitest';
import { countNoun } from './index.js';

describe('countNoun', () => {
  it('puts the noun in the singular only for exactly one', () => {
    expect(countNoun(1, 'host')).toBe('1 host');
    expect(countNoun(0, 'host')).toBe('0 hosts');
    expect(countNoun(2, 'finding')).toBe('2 findings');
    expect(countNoun(12_000, 'package')).toBe('12000 packages');
  });

  it('takes the plural of nouns that do not end in a plain "s"', () => {
    expect(countNoun(1, 'advisory', 'advisories')).toBe('1 advisory');
    expect(countNoun(3, 'advisory', 'advisories')).toBe('3 advisories');
  });
});
