import { describe, expect, it } from 'vitest';
import { OutputTail } from './output-tail.js';

describe('OutputTail', () => {
  it('keeps everything under the limit', () => {
    const t = new OutputTail(10);
    t.push(Buffer.from('abc'));
    t.push(Buffer.from('def'));
    expect([t.text(), t.truncated, t.totalBytes]).toEqual(['abcdef', false, 6]);
  });

  it('keeps the last bytes when more arrive, across and inside chunks', () => {
    const t = new OutputTail(5);
    for (const c of ['0123', '4567', '89']) t.push(Buffer.from(c));
    expect([t.text(), t.truncated, t.totalBytes]).toEqual(['56789', true, 10]);
    const big = new OutputTail(4);
    big.push(Buffer.from('x'.repeat(1000) + 'tail'));
    expect(big.text()).toBe('tail');
  });

  it('never starts with half a character', () => {
    const t = new OutputTail(4);
    t.push(Buffer.from('aé✓')); // a (1 byte), é (2), ✓ (3): the last 4 bytes cut é in half
    expect(t.text()).toBe('✓');
  });

  it('holds little more than the limit however much is pushed', () => {
    const t = new OutputTail(1024);
    for (let i = 0; i < 10_000; i++) t.push(Buffer.alloc(100, 'a'));
    expect(t.text()).toHaveLength(1024);
    expect((t as unknown as { held: number }).held).toBeLessThan(1024 + 200);
  });
});
