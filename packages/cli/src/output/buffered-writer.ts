import type { Writable } from 'node:stream';
import type { Chunk } from './report-format.js';

/**
 * Collects small writes into large chunks and respects backpressure, so that a scan printing
 * gigabytes to a pipe neither floods memory nor loses output. `close()` resolves when the last
 * chunk was handed to the stream; the process then ends by itself (exitCode, never exit()).
 *
 * Writes are copied (strings encoded) straight into a chunk-sized buffer, and only a full buffer
 * can make the caller wait: a scan writes millions of small pieces, and a promise or an
 * intermediate Buffer for each of them cost more than the copying. (Reusing the buffers the
 * stream is done with measured no faster; and its write callbacks, queued as ticks, would hold
 * every buffer while a scan runs without yielding to the event loop.)
 */
export class BufferedWriter {
  private buffer: Buffer;
  private used = 0;

  constructor(
    private readonly stream: Writable,
    private readonly chunkSize = 1 << 20,
  ) {
    this.buffer = Buffer.allocUnsafeSlow(chunkSize);
  }

  /** Queues output; returns a promise only when the stream asked to wait (await it then). */
  write(chunk: Chunk): Promise<void> | undefined {
    const room = this.buffer.length - this.used;
    if (typeof chunk === 'string') {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit: when that fits, encode in place.
      if (chunk.length * 3 <= room) {
        this.used += this.buffer.write(chunk, this.used);
        return undefined;
      }
      chunk = Buffer.from(chunk);
    }
    if (chunk.length <= room) {
      this.used += chunk.copy(this.buffer, this.used);
      return undefined;
    }
    // Full: the buffered bytes go out, then the chunk starts the next buffer or, larger than
    // one, goes out by itself.
    const waitForBuffered = this.flush();
    if (chunk.length <= this.buffer.length) {
      this.used = chunk.copy(this.buffer, 0);
      return waitForBuffered;
    }
    return allDone([waitForBuffered, this.send(chunk)]);
  }

  /** Queues several chunks; returns a promise only when the stream asked to wait. */
  writeAll(chunks: readonly Chunk[]): Promise<void> | undefined {
    let waits: (Promise<void> | undefined)[] | undefined;
    for (const chunk of chunks) {
      const wait = this.write(chunk);
      if (wait) (waits ??= []).push(wait);
    }
    return waits && allDone(waits);
  }

  /** Hands what is buffered to the stream. */
  flush(): Promise<void> | undefined {
    if (this.used === 0) return undefined;
    const wait = this.send(this.buffer.subarray(0, this.used));
    this.buffer = Buffer.allocUnsafeSlow(this.chunkSize);
    this.used = 0;
    return wait;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private send(bytes: Buffer): Promise<void> | undefined {
    if (this.stream.write(bytes)) return undefined;
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.stream.off('error', onError);
        resolve();
      };
      const onError = (err: Error): void => {
        this.stream.off('drain', onDrain);
        reject(err);
      };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }
}

/** One promise for the given ones (undefined: nothing to wait for). */
function allDone(waits: readonly (Promise<void> | undefined)[]): Promise<void> | undefined {
  const pending = waits.filter((w) => w !== undefined);
  if (pending.length <= 1) return pending[0];
  return Promise.all(pending).then(() => undefined);
}
