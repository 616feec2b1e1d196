import { describe, expect, it } from 'vitest';
import { AnnouncedPid, killCommand } from './announced-pid.js';

const feed = (chunks: string[]) => {
  const a = new AnnouncedPid();
  const out = chunks.map((c) => a.take(Buffer.from(c)).toString()).join('') + (a.flush()?.toString() ?? '');
  return { pid: a.pid, out };
};

describe('AnnouncedPid', () => {
  it('takes the marker line out of stderr, wherever the chunks split it', () => {
    expect(feed(['patchwise-pid:4242\nreal error\n'])).toEqual({ pid: 4242, out: 'real error\n' });
    expect(feed(['patch', 'wise-pid:42', '42\n', 'after'])).toEqual({ pid: 4242, out: 'after' });
  });

  it('leaves out what the login shell printed before it: that is not the program\'s stderr', () => {
    expect(feed(['bash: /root/.cargo/env: No such file or directory\npatchwise-pid:7\nerr'])).toEqual({ pid: 7, out: 'err' });
    expect(feed(['motd\npatch', 'wise-pid:7\n', 'cat: x: Is a directory\n'])).toEqual({ pid: 7, out: 'cat: x: Is a directory\n' });
  });

  it('passes everything through when there is no marker', () => {
    expect(feed(['no marker here\n', 'more'])).toEqual({ pid: undefined, out: 'no marker here\nmore' });
    expect(feed(['x'.repeat(70_000), 'patchwise-pid:9\n'])).toEqual({ pid: undefined, out: `${'x'.repeat(70_000)}patchwise-pid:9\n` });
  });

  it('builds the kill command for numbers only', () => {
    expect(killCommand(1234)).toBe('env kill -s KILL -- -1234 2>/dev/null || kill -s KILL 1234');
    expect(() => killCommand(1)).toThrow();
    expect(() => killCommand(Number.NaN)).toThrow();
  });
});
