import type { Writable } from 'node:stream';
import { countNoun } from '@patchwise/core/assessment';

/** A one-line progress counter on a terminal's stderr, redrawn at most every 200 ms. */
export class Progress {
  private last = Number.NEGATIVE_INFINITY;
  private shown = false;
  private readonly started: number;

  constructor(
    private readonly stream: Writable,
    private readonly clock: () => number = Date.now,
  ) {
    this.started = clock();
  }

  update(hosts: number, findings: number): void {
    const now = this.clock();
    if (now - this.last < 200) return;
    this.last = now;
    const rate = hosts / Math.max(0.001, (now - this.started) / 1000);
    this.stream.write(`\r\x1b[Kscanning: ${countNoun(hosts, 'host')}, ${countNoun(findings, 'finding')} (${rate.toFixed(0)} hosts/s)`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
