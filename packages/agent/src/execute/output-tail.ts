/**
 * A program's output kept up to a byte limit, the last bytes winning: when a package manager
 * fails after pages of progress, its reason is at the end.
 */

export class OutputTail {
  private readonly chunks: Buffer[] = [];
  /** Bytes held in `chunks`. */
  private held = 0;
  /** Bytes received in all. */
  private received = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.received += chunk.length;
    this.chunks.push(chunk);
    this.held += chunk.length;
    // Whole chunks that lie entirely before the last maxBytes are dropped at once; the text()
    // cut trims the rest, so memory stays near the limit whatever the program prints.
    while (this.chunks.length > 1 && this.held - (this.chunks[0] as Buffer).length >= this.maxBytes) {
      this.held -= (this.chunks.shift() as Buffer).length;
    }
  }

  /** Bytes received, including those dropped. */
  get totalBytes(): number {
    return this.received;
  }

  get truncated(): boolean {
    return this.received > this.maxBytes;
  }

  /**
   * The last `maxBytes` bytes as UTF-8. A cut that falls inside a multi-byte character drops
   * that character's remaining bytes, so the text never starts with a replacement character.
   */
  text(): string {
    let buf = Buffer.concat(this.chunks);
    if (buf.length > this.maxBytes) {
      buf = buf.subarray(buf.length - this.maxBytes);
      let skip = 0;
      while (skip < 3 && skip < buf.length && ((buf[skip] as number) & 0xc0) === 0x80) skip++;
      buf = buf.subarray(skip);
    }
    return buf.toString('utf8');
  }
}
