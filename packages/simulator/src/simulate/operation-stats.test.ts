import { describe, expect, it } from 'vitest';
import { PatchwiseError } from '@patchwise/core';
import { OperationStats } from './operation-stats.js';

describe('OperationStats', () => {
  it('reports nearest-rank percentiles, the maximum and the rate over the phase', async () => {
    const stats = new OperationStats();
    let t = 0;
    const now = () => t;
    // Latencies 1..100 ms, each operation advancing the fake clock by its own latency.
    for (let ms = 1; ms <= 100; ms++) await stats.time('checkin', now, () => Promise.resolve((t += ms)));
    expect(stats.summary('checkin', 2000)).toEqual({ count: 100, errors: 0, perSecond: 50, p50Ms: 50, p99Ms: 99, maxMs: 100 });
    expect(stats.summary('inventory', 2000)).toEqual({ count: 0, errors: 0, perSecond: 0, p50Ms: null, p99Ms: null, maxMs: null });
  });

  it('counts refusals by code and rethrows anything that is not a PatchwiseError', async () => {
    const stats = new OperationStats();
    const now = () => 0;
    expect(await stats.time('enroll', now, () => Promise.reject(new PatchwiseError('PW_RATE_LIMITED', 'slow down')))).toBeUndefined();
    expect(await stats.time('enroll', now, () => Promise.reject(new PatchwiseError('PW_RATE_LIMITED', 'slow down')))).toBeUndefined();
    await expect(stats.time('enroll', now, () => Promise.reject(new TypeError('bug')))).rejects.toThrow('bug');
    expect(stats.summary('enroll', 1000)).toMatchObject({ count: 0, errors: 2 });
    expect(Object.fromEntries(stats.errorCodes)).toEqual({ PW_RATE_LIMITED: 2 });
  });
});
