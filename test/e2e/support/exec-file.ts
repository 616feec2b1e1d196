/**
 * Running the real tools of an end-to-end test (debootstrap, chroot, dpkg, mount): `execFile`
 * with an argument array, never a shell string, so no path or package name is ever interpreted.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

export interface ExecOptions {
  /** Milliseconds before the program is killed; debootstrap needs minutes, dpkg seconds. */
  readonly timeoutMs?: number;
  /** Extra environment; PATH and the locale are fixed so output is stable. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory (dpkg-scanpackages writes paths relative to it). */
  readonly cwd?: string;
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** The sbin directories too: debootstrap, chroot and mount live there and a test's PATH may lack them. */
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A failed command, with what it printed: the message alone must explain a CI failure. */
export class CommandFailed extends Error {
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    // Each line marked as the program's: a Node.js program's stack trace ("    at f (/path:1:2)")
    // would otherwise be read by the test runner as this error's own frames, and it then tries
    // to load source maps from the paths in it (a 100 MB executable, for the packaged agent).
    const tail = (stderr.trim() || stdout.trim()).split('\n').slice(-15).map((line) => `| ${line}`).join('\n');
    super(`${command.join(' ')} failed (exit ${String(exitCode)})${tail ? `:\n${tail}` : ''}`);
  }
}

/** Runs `file` with `args`; rejects with CommandFailed on a non-zero exit, a signal or a timeout. */
export function exec(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      {
        encoding: 'utf8',
        timeout: options.timeoutMs ?? 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        env: { PATH, LC_ALL: 'C', HOME: '/root', ...options.env },
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr });
        const code = (err as { code?: number | string | null }).code ?? (err as { signal?: string }).signal ?? null;
        reject(new CommandFailed([file, ...args], code, stdout, stderr));
      },
    );
  });
}

/** Runs a command whose exit status is the answer (`dpkg --compare-versions`): 0 → true, 1 → false. */
export async function execStatus(file: string, args: readonly string[], options: ExecOptions = {}): Promise<boolean> {
  try {
    await exec(file, args, options);
    return true;
  } catch (err) {
    if (err instanceof CommandFailed && err.exitCode === 1) return false;
    throw err;
  }
}

/** The absolute path of a program on the fixed PATH, or undefined when it is not installed. */
export async function which(program: string): Promise<string | undefined> {
  for (const dir of PATH.split(':')) {
    try {
      await access(`${dir}/${program}`, constants.X_OK);
      return `${dir}/${program}`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
