import type { Writable } from 'node:stream';

/**
 * Collects small writes into large chunks and respects backpressure, so that a scan printing
 * gigabytes to a pipe neither floods memory nor loses output. `close()` resolves when the last
 * chunk was handed to the stream; the process then ends by itself (exitCode, never exit()).
 */
export class BufferedWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly stream: Writable,
    private readonly chunkSize = 1 << 16,
  ) {}

  /** Queues text; await the result only when it is a promise (the stream asked to wait). */
  write(text: string): Promise<void> | undefined {
    this.parts.push(text);
    this.size += text.length;
    return this.size >= this.chunkSize ? this.flush() : undefined;
  }

  flush(): Promise<void> | undefined {
    if (this.size === 0) return undefined;
    const chunk = this.parts.join('');
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
