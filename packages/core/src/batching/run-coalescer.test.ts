import { describe, expect, it } from 'vitest';
import { RunCoalescer } from './run-coalescer.js';

/** Work that records each run and ends when the test releases it. */
function gatedWork() {
  const starts: number[] = [];
  const gates: (() => void)[] = [];
  let runs = 0;
  const work = () => {
    const n = ++runs;
    starts.push(n);
    return new Promise<number>((resolve) => gates.push(() => resolve(n)));
  };
  const releaseNext = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  };
  return { starts, work, releaseNext };
}

describe('RunCoalescer', () => {
  it('starts a run at once, and serves every request made during it with one next run', async () => {
    const w = gatedWork();
    const c = new RunCoalescer<number, number>();
    const first = c.run(7, w.work);
    expect(w.starts).toEqual([1]); // started synchronously: it sees what the caller committed
    const during = [c.run(7, w.work), c.run(7, w.work), c.run(7, w.work)];
    await w.releaseNext();
    expect(await first).toBe(1);
    expect(w.starts).toEqual([1, 2]);
    const later = c.run(7, w.work); // made while run 2 goes: run 3
    await w.releaseNext();
    expect(await Promise.all(during)).toEqual([2, 2, 2]);
    await w.releaseNext();
    expect(await later).toBe(3);
    expect(w.starts).toEqual([1, 2, 3]);
  });

  it('keeps keys apart, starts afresh once idle, and fails only the callers of a failed run', async () => {
    const c = new RunCoalescer<string, string>();
    let fail = true;
    const work = (key: string) => () => (fail ? Promise.reject(new Error(`${key} failed`)) : Promise.resolve(key));
    const a = c.run('a', work('a'));
    const b = c.run('b', work('b'));
    await expect(a).rejects.toThrow('a failed');
    await expect(b).rejects.toThrow('b failed');
    fail = false;
    expect(await c.run('a', work('a'))).toBe('a');
  });
});
