import { describe, expect, it } from 'vitest';
import { FailedAuthLimiter } from './failed-auth-limiter.js';

describe('FailedAuthLimiter', () => {
  it('allows max failures a window per address, then says how long to wait', () => {
    let now = 0;
    const limiter = new FailedAuthLimiter(2, 60_000, () => new Date(now));
    expect([limiter.fail('a'), limiter.fail('a'), limiter.fail('b')]).toEqual([undefined, undefined, undefined]);
    expect(limiter.fail('a')).toBe(60);
    now = 59_500;
    expect(limiter.fail('a')).toBe(1);
    now = 60_000;
    expect(limiter.fail('a')).toBeUndefined();
  });

  it('forgets the least recently failing address when full, so memory stays bounded', () => {
    const limiter = new FailedAuthLimiter(1, 60_000, () => new Date(0), 2);
    limiter.fail('a');
    limiter.fail('b');
    limiter.fail('a'); // over the limit, and now the most recent
    limiter.fail('c'); // b is forgotten
    expect(limiter.fail('a')).toBe(60);
    expect(limiter.fail('b')).toBeUndefined();
  });
});
