import { describe, expect, it } from 'vitest';
import { JoinedFragments } from './joined-fragments.js';

describe('JoinedFragments', () => {
  const base = ['{"a":1}', '{"bb":22}', '{"c":3}', '{"dddd":4444}'];
  const alt = ['[1]', '[22,22]', '[]', '"four"'];
  const joined = new JoinedFragments(base, alt);

  it('is the comma-joined list with the alternative at the given positions, first, last and side by side', () => {
    const subsets = [[], [0], [3], [1, 2], [0, 3], [0, 1, 2, 3], [2]];
    for (const positions of subsets) {
      expect(joined.with(positions)).toBe(base.map((b, i) => (positions.includes(i) ? alt[i] : b)).join(','));
    }
  });

  it('handles one fragment and none', () => {
    expect(new JoinedFragments(['x'], ['y']).with([0])).toBe('y');
    expect(new JoinedFragments([], []).with([])).toBe('');
  });
});
