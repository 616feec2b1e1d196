import type { Writable } from 'node:stream';
import type { Chunk } from './report-format.js';

/**
 * Collects small writes into large chunks and respects backpressure, so that a scan printing
 * gigabytes to a pipe neither floods memory nor loses output. `close()` resolves when the last
 * chunk was handed to the stream; the process then ends by itself (exitCode, never exit()).
 */
export class BufferedWriter {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly stream: Writable,
    private readonly chunkSize = 1 << 20,
  ) {}

  /** Queues output; await the result only when it is a promise (the stream asked to wait). */
  write(chunk: Chunk): Promise<void> | undefined {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.parts.push(bytes);
    this.size += bytes.length;
    return this.size >= this.chunkSize ? this.flush() : undefined;
  }

  /** Queues several chunks; resolves once the stream has taken what it asked to wait for. */
  async writeAll(chunks: readonly Chunk[]): Promise<void> {
    for (const chunk of chunks) await this.write(chunk);
  }

  flush(): Promise<void> | undefined {
    if (this.size === 0) return undefined;
    const chunk = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    if (this.stream.write(chunk)) return undefined;
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

  async close(): Promise<void> {
    await this.flush();
  }
}
