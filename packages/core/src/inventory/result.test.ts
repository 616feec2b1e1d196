import { describe, expect, it } from 'vitest';
import { SkipTally } from './result.js';

describe('SkipTally', () => {
  it('counts by reason in first-seen order', () => {
    const t = new SkipTally();
    t.add('b');
    t.add('a', 2);
    t.add('b');
    t.addAll([{ reason: 'c', count: 3 }, { reason: 'a', count: 1 }]);
    expect(t.toArray()).toEqual([
      { reason: 'b', count: 2 },
      { reason: 'a', count: 3 },
      { reason: 'c', count: 3 },
    ]);
  });
});
