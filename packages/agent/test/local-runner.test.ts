/** LocalRunner and ChrootRunner against real processes: argv untouched, environment, caps, timeouts, failures to start. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ChrootRunner, LocalRunner } from '@patchwise/agent';

const runner = new LocalRunner();

describe('LocalRunner', () => {
  afterEach(() => {
    delete process.env.PW_TEST_SECRET;
  });

  it('passes every argument as it is, shell metacharacters included', async () => {
    const hostile = 'a; touch /tmp/pw-pwned $(id) `id` | cat > x && *';
    const record = await runner.run('echo', ['printf', '%s', hostile]);
    expect(record).toMatchObject({ step: 'echo', argv: ['printf', '%s', hostile], exitCode: 0, signal: null, stdout: hostile, stderr: '' });
    expect(Date.parse(record.startedAt)).not.toBeNaN();
  });

  it('returns a non-zero exit as a record, with stderr', async () => {
    const record = await runner.run('ls', ['ls', '/nonexistent-pw-path']);
    expect(record.exitCode).toBe(2);
    expect(record.stderr).toContain('No such file or directory');
  });

  it('runs with LC_ALL=C, a fixed PATH, the extra variables, and nothing else of the agent environment', async () => {
    process.env.PW_TEST_SECRET = 'do-not-leak';
    const record = await runner.run('env', ['env'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
    const vars = Object.fromEntries(record.stdout.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
    expect(vars).toMatchObject({ LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' });
    expect(vars.PW_TEST_SECRET).toBeUndefined();
  });

  it('refuses invalid environment variable names and NUL bytes before running anything', () => {
    expect(() => runner.run('env', ['env'], { env: { 'A;B': 'x' } })).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', message: 'A;B: not a valid environment variable name' }));
    expect(() => runner.run('env', ['env'], { env: { '1A': 'x' } })).toThrow(/not a valid environment variable name/);
    expect(() => runner.run('x', ['printf', 'a\0b'])).toThrow(/NUL byte/);
    expect(() => runner.run('x', [])).toThrow(/needs a program/);
  });

  it('records a program that cannot start with exit code null and the reason, without throwing', async () => {
    const record = await runner.run('missing', ['pw-no-such-program', '--version']);
    expect(record).toMatchObject({ exitCode: null, signal: null, stdout: '' });
    expect(record.stderr).toMatch(/^cannot start pw-no-such-program: spawn pw-no-such-program ENOENT$/);
  });

  it('keeps the tail of long output and says how much was dropped', async () => {
    const capped = new LocalRunner({ outputCapBytes: 1024 });
    const record = await capped.run('seq', ['seq', '1', '100000']);
    // seq 1 100000 prints 588,895 bytes.
    expect(record.stdout.startsWith(`[${588_895 - 1024} bytes truncated]\n`)).toBe(true);
    expect(record.stdout.endsWith('99999\n100000\n')).toBe(true);
    expect(Buffer.byteLength(record.stdout.slice(record.stdout.indexOf('\n') + 1))).toBe(1024);
  });

  it('keeps at least the maxOutputBytes a caller asks for (a package database read through a chroot)', async () => {
    const capped = new LocalRunner({ outputCapBytes: 1024 });
    const record = await capped.run('seq', ['seq', '1', '100000'], { maxOutputBytes: 1024 * 1024 });
    expect(Buffer.byteLength(record.stdout)).toBe(588_895);
    expect(record.stdout.startsWith('1\n2\n')).toBe(true);
    // Asking for less than the cap does not cut below it.
    expect((await capped.run('seq', ['seq', '1', '1000'], { maxOutputBytes: 10 })).stdout.startsWith('[')).toBe(true);
  });

  it('kills the whole process group on timeout and notes it', async () => {
    const t0 = Date.now();
    // The shell starts a grandchild, prints its pid and waits: the timeout must kill both.
    const record = await runner.run('slow', ['/bin/sh', '-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(record).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(record.stderr).toContain('killed after 300 ms (timeout)');
    const grandchild = Number(record.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    // Dead: gone, or a zombie waiting for init to reap it (its parent died with it).
    await expect.poll(() => processState(grandchild), { timeout: 5_000 }).toMatch(/^(gone|Z)$/);
  });

  it('does not wait for a daemon that keeps the output pipes open after the command exited', async () => {
    const t0 = Date.now();
    const record = await runner.run('daemon', ['/bin/sh', '-c', 'sleep 20 & echo started']);
    expect(record).toMatchObject({ exitCode: 0, stdout: 'started\n' });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('ChrootRunner', () => {
  it('prefixes chroot and keeps the job argv in the record', () => {
    const chroot = new ChrootRunner('/srv/hosts/h1');
    expect(chroot.description).toBe('chroot:/srv/hosts/h1');
    expect(chroot.root).toBe('/srv/hosts/h1');
  });

  it('refuses a relative root', () => {
    expect(() => new ChrootRunner('srv/h1')).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
  });

  it.runIf(process.getuid?.() === 0)('runs inside the root (here: / itself)', async () => {
    const record = await new ChrootRunner('/').run('pwd', ['printf', '%s', 'inside']);
    expect(record).toMatchObject({ argv: ['printf', '%s', 'inside'], exitCode: 0, stdout: 'inside' });
  });
});

/** The state letter of a process (`S`, `R`, `Z`…) from /proc, or `gone`. */
function processState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').charAt(0);
  } catch {
    return 'gone';
  }
}
