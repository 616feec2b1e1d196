import type { Writable } from 'node:stream';

/** A one-line progress counter on a terminal's stderr, redrawn at most every 200 ms. */
export class Progress {
  private last = 0;
  private shown = false;
  private readonly started = Date.now();

  constructor(private readonly stream: Writable) {}

  update(hosts: number, findings: number): void {
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const rate = hosts / Math.max(0.001, (now - this.started) / 1000);
    this.stream.write(`\r\x1b[Kscanning: ${hosts} hosts, ${findings} findings (${rate.toFixed(0)} hosts/s)`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
