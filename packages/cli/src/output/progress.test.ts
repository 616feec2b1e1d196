import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress } from './index.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('Progress', () => {
  it('redraws one line at most every 200 ms and clears it', () => {
    let now = 1_000;
    const out = sink();
    const progress = new Progress(out.stream, () => now);
    progress.update(10, 100);
    now += 50;
    progress.update(20, 200); // too soon: not drawn
    now += 250;
    progress.update(30, 300);
    progress.clear();
    expect(out.text()).toBe(
      '\r\x1b[Kscanning: 10 hosts, 100 findings (10000 hosts/s)' + '\r\x1b[Kscanning: 30 hosts, 300 findings (100 hosts/s)' + '\r\x1b[K',
    );
  });

  it('counts one host and one finding in the singular', () => {
    const out = sink();
    new Progress(out.stream, () => 1_000).update(1, 1);
    expect(out.text()).toBe('\r\x1b[Kscanning: 1 host, 1 finding (1000 hosts/s)');
  });

  it('clears nothing when it never drew', () => {
    const out = sink();
    new Progress(out.stream, () => 0).clear();
    expect(out.text()).toBe('');
  });
});
