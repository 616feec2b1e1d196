import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.js';

/** A writer that records each batch and answers when the test releases it. */
function gatedWriter() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const write = (items: readonly number[]) => {
    batches.push([...items]);
    return new Promise<number[]>((resolve) => gates.push(() => resolve(items.map((x) => x * 10))));
  };
  const releaseNext = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  };
  return { batches, write, releaseNext };
}

describe('MicroBatcher', () => {
  it('writes items submitted in one turn together, and those arriving meanwhile in the next batch', async () => {
    const w = gatedWriter();
    const b = new MicroBatcher(w.write);
    const first = [1, 2, 3].map((x) => b.submit(x));
    await w.releaseNext();
    expect(w.batches).toEqual([[1, 2, 3]]);
    expect(await Promise.all(first)).toEqual([10, 20, 30]);
    const second = [4, 5].map((x) => b.submit(x));
    await new Promise((r) => setImmediate(r));
    const third = b.submit(6); // arrives while [4, 5] is being written
    await w.releaseNext();
    await w.releaseNext();
    expect(await Promise.all([...second, third])).toEqual([40, 50, 60]);
    expect(w.batches).toEqual([[1, 2, 3], [4, 5], [6]]);
  });

  it('writes up to `concurrency` batches at once, and no more', async () => {
    const w = gatedWriter();
    const b = new MicroBatcher(w.write, { concurrency: 2 });
    const first = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const second = b.submit(2); // the first batch is still being written: a second one starts
    const third = b.submit(3); // both slots busy: waits for one of them
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(w.batches).toEqual([[1], [2, 3]]);
    const fourth = b.submit(4);
    await new Promise((r) => setImmediate(r));
    expect(w.batches).toEqual([[1], [2, 3]]);
    await w.releaseNext(); // [1] done: its slot takes [4]
    await new Promise((r) => setImmediate(r));
    expect(w.batches).toEqual([[1], [2, 3], [4]]);
    await w.releaseNext();
    await w.releaseNext();
    expect(await Promise.all([first, second, third, fourth])).toEqual([10, 20, 30, 40]);
  });

  it('keeps batches under the size limit and one item per key', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher(
      (items: readonly number[]) => {
        batches.push([...items]);
        return Promise.resolve(items.map((x) => -x));
      },
      { maxBatch: 2, keyOf: (x) => String(x % 3) },
    );
    // 1 and 4 share a key; 2 fills the first batch; 4 and 3 wait.
    expect(await Promise.all([1, 4, 2, 3].map((x) => b.submit(x)))).toEqual([-1, -4, -2, -3]);
    expect(batches).toEqual([[1, 2], [4, 3]]);
  });

  it('fails only the batch whose write failed, and keeps serving', async () => {
    let calls = 0;
    const b = new MicroBatcher((items: readonly string[]) => (calls++ === 0 ? Promise.reject(new Error('connection lost')) : Promise.resolve(items.map((s) => s.length))));
    await expect(b.submit('a')).rejects.toThrow('connection lost');
    expect(await b.submit('abc')).toBe(3);
  });

  it('refuses a writer that answers a different number of items', async () => {
    const b = new MicroBatcher((items: readonly number[]) => Promise.resolve(items.slice(1)));
    await expect(b.submit(1)).rejects.toThrow(/answered 0 of 1/);
  });
});
