/**
 * A real OpenSSH server for agentless tests: `/usr/sbin/sshd -D -e -f <temp config>` on a free
 * loopback port, with a fresh Ed25519 host key and an authorized_keys holding a fresh client key
 * (root may log in by key only). Everything lives in one temporary directory, removed at stop.
 *
 * sshd needs root (it switches users and chroots its unprivileged child) and its privilege
 * separation directory. Without them the suites are skipped, except on CI (`CI=true`), where a
 * missing prerequisite fails the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, which } from './exec-file.js';

export const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: 'root';
  /** The client key authorized for root (OpenSSH private key format). */
  readonly clientPrivateKey: string;
  /** The host's public key file, for `ssh-keygen -lf`. */
  readonly hostPublicKeyPath: string;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`). */
  readonly hostKeySha256: string;
  readonly dir: string;
  /** Adds a line to authorized_keys (sshd reads it at each login). */
  authorize(publicKeyLine: string): void;
  /** What sshd logged so far (LogLevel VERBOSE: connections, keys offered and accepted). */
  log(): string;
  stop(): Promise<void>;
}

/** Why sshd cannot run here, or undefined when it can. */
export async function missingSshdPrerequisites(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'root (sshd switches users and chroots its unprivileged child)';
  if (!existsSync(SSHD)) return `${SSHD} (Debian: apt-get install -y openssh-server)`;
  if (!(await which('ssh-keygen'))) return 'ssh-keygen (Debian: apt-get install -y openssh-client)';
  return undefined;
}

export interface TestSshdOptions {
  /**
   * Sessions run chrooted here (sshd's ChrootDirectory): a Debian tree then plays a whole host
   * without an agent. Every component of the path must be root-owned and writable by root only.
   */
  readonly chrootDirectory?: string;
  /** Environment sshd sets for every session (`SetEnv`), such as a BASH_ENV whose shell startup prints. */
  readonly setEnv?: Readonly<Record<string, string>>;
}

/** Starts sshd and resolves once it listens. */
export async function startTestSshd(options: TestSshdOptions = {}): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'patchwise-sshd-'));
  let child: ChildProcess | undefined;
  try {
    const hostKey = join(dir, 'host_ed25519_key');
    const clientKey = join(dir, 'client_ed25519_key');
    await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'patchwise-test-host', '-f', hostKey]);
    await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'patchwise-test-client', '-f', clientKey]);
    const authorizedKeys = join(dir, 'authorized_keys');
    writeFileSync(authorizedKeys, readFileSync(`${clientKey}.pub`), { mode: 0o600 });
    const fingerprint = (await exec('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`])).stdout.split(/\s+/)[1] ?? '';
    // sshd chroots its pre-authentication child into this directory and refuses to start without it.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        // The temporary directory is world-readable /tmp's child; StrictModes would refuse its keys.
        'StrictModes no',
        'LogLevel VERBOSE',
        'MaxStartups 100',
        'MaxSessions 50',
        ...(options.chrootDirectory ? [`ChrootDirectory ${options.chrootDirectory}`] : []),
        ...Object.entries(options.setEnv ?? {}).map(([name, value]) => `SetEnv ${name}=${value}`),
        '',
      ].join('\n'),
    );
    let log = '';
    const proc = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    const running = proc;
    proc.stderr.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start listening within 10 s:\n${log}`)), 10_000);
      proc.stderr.on('data', (text: string) => {
        log += text;
        if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited (${code ?? signal}) before listening:\n${log}`));
      });
    });
    return {
      host: '127.0.0.1',
      port,
      user: 'root',
      clientPrivateKey: readFileSync(clientKey, 'utf8'),
      hostPublicKeyPath: `${hostKey}.pub`,
      hostKeySha256: fingerprint,
      dir,
      authorize: (line) => appendFileSync(authorizedKeys, `${line.trim()}\n`),
      log: () => log,
      stop: async () => {
        await stopProcess(running);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child) await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** A port nothing listens on right now: the kernel's pick for a socket bound to port 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** SIGTERM, and SIGKILL if sshd has not exited after 5 s; resolves when it has. */
function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}
