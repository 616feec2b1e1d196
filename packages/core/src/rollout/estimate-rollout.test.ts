import { describe, expect, it } from 'vitest';
import { estimateRollout } from './estimate-rollout.js';
import { parseStrategy } from './strategy.js';

const now = new Date('2026-12-08T00:00:00Z');
const at = (h: number) => new Date(now.getTime() + h * 3600_000);
const hosts = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));

describe('estimateRollout', () => {
  it('runs waves one after another with soak, at most `concurrency` jobs at a time', () => {
    const strategy = parseStrategy({ concurrency: 2, soakMinutes: 60 });
    const e = estimateRollout([hosts('c', 1), hosts('w', 4)], strategy, { now, jobMinutes: 30, nextStart: (_, after) => after });
    expect(e.waves.map((w) => [w.start, w.finish])).toEqual([
      [at(0), at(0.5)],
      [at(1.5), at(2.5)],
    ]);
    expect(e.finish).toEqual(at(2.5));
    expect(e.hosts.get('w3')).toEqual({ wave: 1, start: at(2), finish: at(2.5) });
  });

  it('waits for each host window; a host with no window makes the rest unschedulable', () => {
    const strategy = parseStrategy({ concurrency: 10, soakMinutes: 0 });
    const nextStart = (id: string, after: Date) => (id === 'w1' ? null : new Date(Math.max(after.getTime(), at(id === 'c0' ? 2 : 26).getTime())));
    const e = estimateRollout([hosts('c', 1), hosts('w', 2), hosts('x', 1)], strategy, { now, jobMinutes: 60, nextStart });
    expect(e.waves[0]).toMatchObject({ start: at(2), finish: at(3) });
    expect(e.waves[1]).toMatchObject({ start: at(26), unschedulable: 1 });
    expect(e.waves[2]).toMatchObject({ start: null, unschedulable: 1 });
    expect(e.finish).toBeNull();
  });
});
