/**
 * SshRunner and fetchHostKey against a real OpenSSH server (test/e2e/support/test-sshd.ts): a
 * fresh sshd on a loopback port per file, logging in as root with a fresh key. Skipped without
 * root or sshd, except on CI, where that fails the run.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshRunner, fetchHostKey, generateSshClientKey, sshPublicKeyOf, type SshConnectOptions } from '@patchwise/agent';
import { skipUnlessAvailable } from '../../../test/e2e/support/prerequisites.js';
import { missingSshdPrerequisites, startTestSshd, type TestSshd } from '../../../test/e2e/support/test-sshd.js';

const run = promisify(execFile);
const skip = skipUnlessAvailable('the SSH runner tests', await missingSshdPrerequisites());

/** A fingerprint of the right shape that no key has. */
const WRONG_KEY = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe.skipIf(skip)('SshRunner against a real sshd', () => {
  let sshd: TestSshd;
  let runner: SshRunner;
  let scratch: string;
  const options = (over: Partial<SshConnectOptions> = {}): SshConnectOptions => ({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKey: sshd.clientPrivateKey,
    hostKeySha256: sshd.hostKeySha256,
    ...over,
  });

  beforeAll(async () => {
    sshd = await startTestSshd();
    runner = await SshRunner.connect(options());
    scratch = mkdtempSync(join(tmpdir(), 'pw-ssh-scratch-'));
  });
  afterAll(async () => {
    await runner?.close();
    await sshd?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('fetchHostKey reads the fingerprint ssh-keygen -lf prints for the host key, without logging in', async () => {
    const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', sshd.hostPublicKeyPath]);
    const before = sshd.log().length;
    const fetched = await fetchHostKey(sshd.host, sshd.port);
    expect(fetched).toBe(stdout.split(' ')[1]);
    expect(fetched).toBe(sshd.hostKeySha256);
    expect(sshd.log().slice(before)).not.toMatch(/publickey|Accepted/);
  });

  it('describes where it runs', () => {
    expect(runner.description).toBe(`ssh:root@127.0.0.1:${sshd.port}`);
  });

  it('delivers every word literally: substitutions, separators, quotes, newlines and globs do nothing', async () => {
    const marker = join(scratch, 'injected');
    const words = [
      '$(id)',
      '`id`',
      `a; touch ${marker}`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `a && touch ${marker}`,
      `a | touch ${marker}`,
      `> ${marker}`,
      "it's",
      "'",
      '"double"',
      'line one\nline two',
      '*',
      '/etc/*',
      '~',
      '$HOME',
      '${PATH}',
      '\\',
      '!bang',
      '{a,b}',
      '#comment',
      '',
      '  spaced  ',
      'ünïcødé ✓',
    ];
    const record = await runner.run('printf', ['printf', '%s\\n', ...words]);
    expect(record).toMatchObject({ step: 'printf', exitCode: 0, signal: null, stderr: '' });
    expect(record.stdout).toBe(words.map((w) => `${w}\n`).join(''));
    expect(record.argv).toEqual(['printf', '%s\\n', ...words]);
    expect(existsSync(marker)).toBe(false);
  });

  it('passes environment variables through env(1), values literal', async () => {
    const value = "it's $(id) `id` ;|&\nsecond line";
    const record = await runner.run('env', ['printenv', 'PW_TEST_VALUE'], { env: { PW_TEST_VALUE: value, LC_ALL: 'C' } });
    expect(record.stdout).toBe(`${value}\n`);
    await expect(runner.run('env', ['true'], { env: { 'bad-name': 'x' } })).rejects.toMatchObject({ code: 'PW_INPUT_INVALID' });
  });

  it('reports exit codes, stderr and the signal that ended a program', async () => {
    const failed = await runner.run('fail', ['sh', '-c', 'echo partial; echo "went wrong" >&2; exit 3']);
    expect(failed).toMatchObject({ exitCode: 3, signal: null, stdout: 'partial\n', stderr: 'went wrong\n' });
    const missing = await runner.run('missing', ['/nonexistent/program', 'arg']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/not found|No such file/);
    const killed = await runner.run('killed', ['sh', '-c', 'kill -TERM $$']);
    expect(killed).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    expect(new Date(failed.startedAt).getTime()).not.toBeNaN();
    expect(failed.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('gives a program no input: one reading stdin ends instead of hanging', async () => {
    expect(await runner.run('cat', ['cat'], { timeoutMs: 10_000 })).toMatchObject({ exitCode: 0, stdout: '' });
  });

  it('keeps the last 64 KiB of each stream by default, and more when asked', async () => {
    const capped = await runner.run('seq', ['seq', '1', '100000']);
    expect(capped.exitCode).toBe(0);
    expect(Buffer.byteLength(capped.stdout)).toBe(64 * 1024);
    expect(capped.stdout.endsWith('\n99999\n100000\n')).toBe(true);
    const full = await runner.run('seq', ['seq', '1', '100000'], { maxOutputBytes: 1024 * 1024 });
    expect(full.stdout).toBe(Array.from({ length: 100000 }, (_, i) => `${i + 1}\n`).join(''));
  });

  it('closes the channel of a program past its timeout, which the host then kills', async () => {
    const marker = `${Date.now() % 100000}.5`; // a sleep whose command line no other process has
    const record = await runner.run('sleep', ['sleep', marker], { timeoutMs: 300 });
    expect(record).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(record.stderr).toContain('timeout');
    expect(record.durationMs).toBeLessThan(5_000);
    // The host's sleep goes away (sshd delivers the signal, or hangs up on the closed session).
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { stdout } = await run('ps', ['-eo', 'args']).catch(() => ({ stdout: '' }));
      if (!stdout.split('\n').some((l) => l.trim() === `sleep ${marker}`)) break;
      if (Date.now() > deadline) throw new Error(`sleep ${marker} still runs on the host 10 s after its timeout`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('runs commands side by side on one connection', async () => {
    const records = await Promise.all([1, 2, 3, 4, 5].map((n) => runner.run(`n${n}`, ['sh', '-c', `sleep 0.2; echo ${n}`])));
    expect(records.map((r) => r.stdout)).toEqual(['1\n', '2\n', '3\n', '4\n', '5\n']);
  });

  it('refuses a host presenting another key before authenticating: PW_HOST_KEY_MISMATCH, nothing runs', async () => {
    const marker = join(scratch, 'ran-after-mismatch');
    const before = sshd.log().length;
    const attempt = SshRunner.connect(options({ hostKeySha256: WRONG_KEY })).then((r) => r.run('touch', ['touch', marker]));
    await expect(attempt).rejects.toMatchObject({ code: 'PW_HOST_KEY_MISMATCH' });
    const err = (await attempt.catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`ssh:root@127.0.0.1:${sshd.port}`);
    expect(err.message).toContain(sshd.hostKeySha256);
    expect(err.message).toContain(WRONG_KEY);
    expect(existsSync(marker)).toBe(false);
    // sshd saw a connection that never reached authentication: no key offered, none accepted.
    const log = sshd.log().slice(before);
    expect(log).toMatch(/Connection from 127\.0\.0\.1/);
    expect(log).not.toMatch(/publickey|Accepted|Starting session/);
    // The same connection with the right pin does authenticate (the test above is not vacuous).
    const good = await SshRunner.connect(options());
    expect((await good.run('touch', ['touch', marker])).exitCode).toBe(0);
    await good.close();
    expect(existsSync(marker)).toBe(true);
    expect(sshd.log().slice(before)).toMatch(/Accepted publickey for root/);
  });

  it('accepts the pinned fingerprint as ssh-keygen -lf prints the whole line', async () => {
    const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', sshd.hostPublicKeyPath]);
    const r = await SshRunner.connect(options({ hostKeySha256: stdout.trim() }));
    expect((await r.run('true', ['true'])).exitCode).toBe(0);
    await r.close();
  });

  it('says why a connection fails: refused key, closed port, malformed pin', async () => {
    const stranger = generateSshClientKey('stranger');
    await expect(SshRunner.connect(options({ privateKey: stranger.privateKey }))).rejects.toMatchObject({ code: 'PW_HOST_UNREACHABLE', message: expect.stringContaining('authorized_keys') });
    await expect(SshRunner.connect(options({ port: 1 }))).rejects.toMatchObject({ code: 'PW_HOST_UNREACHABLE', message: expect.stringContaining('refused') });
    await expect(fetchHostKey(sshd.host, 1)).rejects.toMatchObject({ code: 'PW_HOST_UNREACHABLE' });
    await expect(SshRunner.connect(options({ hostKeySha256: 'MD5:aa:bb' }))).rejects.toMatchObject({ code: 'PW_INPUT_INVALID' });
    await expect(SshRunner.connect(options({ privateKey: 'not a key' }))).rejects.toMatchObject({ code: 'PW_CONFIG_INVALID' });
  });

  it('logs in with a key made by generateSshClientKey once its public line is authorized', async () => {
    const key = generateSshClientKey('patchwise-test-server');
    expect(sshPublicKeyOf(key.privateKey, 'test key')).toBe(key.publicKey);
    sshd.authorize(key.publicKey);
    const r = await SshRunner.connect(options({ privateKey: key.privateKey }));
    expect((await r.run('id', ['id', '-u'])).stdout).toBe('0\n');
    await r.close();
    await r.close(); // idempotent
    await expect(r.run('id', ['id'])).rejects.toMatchObject({ code: 'PW_INPUT_INVALID' });
  });
});
