import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BufferedWriter } from './index.js';

/**
 * A slow stream that reads the buffers it is given only when it is done with them, as a socket
 * sends them later: a buffer reused before then would arrive overwritten.
 */
function keepingSink(highWaterMark: number): { stream: Writable; received: Buffer[] } {
  const received: Buffer[] = [];
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      setImmediate(() => {
        received.push(Buffer.from(chunk));
        done();
      });
    },
  });
  return { stream, received };
}

describe('BufferedWriter', () => {
  it('delivers every byte in order: strings (multi-byte too), bytes, chunks larger than its buffer', async () => {
    const { stream, received } = keepingSink(64);
    const out = new BufferedWriter(stream, 32);
    const pieces = ['{"a":', Buffer.from('"é€😀"'), 'x'.repeat(31), Buffer.from('y'.repeat(100)), 'ü'.repeat(20), ',', 'z'.repeat(70)];
    let waited = 0;
    for (let round = 0; round < 20; round++) {
      const wait = out.writeAll(pieces);
      if (wait) {
        waited++;
        await wait;
      }
    }
    await out.close();
    const expected = Buffer.concat(Array.from({ length: 20 }, () => pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).flat());
    expect(Buffer.concat(received).equals(expected)).toBe(true);
    expect(waited).toBeGreaterThan(0);
  });

  it('asks the caller to wait only when the stream does', () => {
    const { stream } = keepingSink(1 << 20);
    const out = new BufferedWriter(stream, 16);
    expect(out.write('0123456789')).toBeUndefined();
    expect(out.writeAll(['abc', Buffer.from('def'), '0123456789'])).toBeUndefined(); // flushed 16 bytes; the stream took them
  });
});
