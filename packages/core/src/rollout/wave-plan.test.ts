import { describe, expect, it } from 'vitest';
import { parseStrategy } from './strategy.js';
import { planWaves } from './wave-plan.js';

const hosts = (n: number, clusters = 0) => Array.from({ length: n }, (_, i) => ({ id: `h${i}`, cluster: clusters ? `c${i % clusters}` : null }));

describe('planWaves', () => {
  it('puts the canary first, then the sizes, the last size repeating, every host exactly once', () => {
    const waves = planWaves(hosts(100), parseStrategy({ canary: 2, waves: ['10%', '25%'] }));
    expect(waves.map((w) => w.length)).toEqual([2, 10, 25, 25, 25, 13]);
    expect(new Set(waves.flat().map((h) => h.id)).size).toBe(100);
  });

  it('grows waves exponentially from the canary', () => {
    expect(planWaves(hosts(40), parseStrategy({ canary: 1, waves: 'exponential' })).map((w) => w.length)).toEqual([1, 2, 4, 8, 16, 9]);
  });

  it('spreads a cluster over waves, so a canary of 3 tries 3 clusters', () => {
    const list = [...hosts(9, 3)].sort((a, b) => a.cluster!.localeCompare(b.cluster!));
    const waves = planWaves(list, parseStrategy({ canary: 3, waves: [3] }));
    for (const w of waves) expect(new Set(w.map((h) => h.cluster)).size).toBe(3);
  });

  it('without a canary starts with the first size; an empty fleet has no wave', () => {
    expect(planWaves(hosts(10), parseStrategy({ canary: 0, waves: ['50%'] })).map((w) => w.length)).toEqual([5, 5]);
    expect(planWaves([], parseStrategy({}))).toEqual([]);
  });
});

describe('parseStrategy', () => {
  it('names the setting and the reason', () => {
    expect(() => parseStrategy({ canary: 'ten' })).toThrow(/strategy.canary: "ten" is not a count/);
    expect(() => parseStrategy({ waves: [] })).toThrow(/strategy.waves: needs at least one size/);
    expect(() => parseStrategy({ concurrency: 0 })).toThrow(/strategy.concurrency: must allow at least one job/);
    expect(() => parseStrategy({ reboot: 'sometimes' })).toThrow(/strategy.reboot: must be one of never, if-required, always/);
    expect(() => parseStrategy({ speed: 1 })).toThrow(/strategy.speed: unknown setting/);
  });
});
