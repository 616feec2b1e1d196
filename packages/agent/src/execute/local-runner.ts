/**
 * Runs job commands on this machine: an argument vector handed to the kernel as it is (no shell,
 * so no character of a package name or path is ever interpreted), a fixed environment, a
 * timeout that kills the whole process group, and output capped by keeping the tail (where a
 * package manager prints its error).
 */
import { spawn } from 'node:child_process';
import { PatchwiseError, type CommandRecord } from '@patchwise/core';
import type { CommandRunner, CommandRunOptions } from './command-runner.js';

/** Default cap of stdout and of stderr in a record, each. */
export const DEFAULT_OUTPUT_CAP_BYTES = 64 * 1024;
/** Default time a command may run (package transactions can be slow; a hung one must not hold the job forever). */
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/**
 * The sbin directories too: dpkg refuses to run without ldconfig and start-stop-daemon on PATH,
 * and the agent's own PATH (a service manager's, or a test runner's) must not change which
 * programs a job runs.
 */
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Proxy settings are the only variables taken from the agent's environment: apt, dnf and zypper honour them. */
const PASSED_THROUGH = ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'];
/** How long output is still read after the program exited (see the 'exit' handler). */
const EXIT_GRACE_MS = 2_000;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface LocalRunnerOptions {
  /** Words put before every argv (`['chroot', root]`); the record keeps the job's own argv. */
  readonly prefix?: readonly string[];
  /** Where commands run, for records and logs; default `local`. */
  readonly description?: string;
  /** Cap of each of stdout and stderr in bytes, unless a call asks for more (maxOutputBytes); default 64 KiB. */
  readonly outputCapBytes?: number;
  /** The clock records are stamped with. */
  readonly clock?: () => Date;
}

export class LocalRunner implements CommandRunner {
  readonly description: string;
  readonly #prefix: readonly string[];
  readonly #cap: number;
  readonly #clock: () => Date;

  constructor(options: LocalRunnerOptions = {}) {
    this.description = options.description ?? 'local';
    this.#prefix = options.prefix ?? [];
    this.#cap = options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES;
    this.#clock = options.clock ?? (() => new Date());
  }

  /**
   * Runs `argv` and resolves with its record whatever happens to the program: a non-zero exit, a
   * signal, a timeout (SIGKILL to the process group, noted in stderr) or a program that cannot
   * start (exitCode null, the reason in stderr). Throws only for a call that is itself wrong: an
   * empty argv, a NUL byte in an argument, an invalid environment variable name.
   */
  run(step: string, argv: readonly string[], options: CommandRunOptions = {}): Promise<CommandRecord> {
    const env = buildEnv(options.env ?? {});
    if (argv.length === 0 || argv[0] === '') throw new PatchwiseError('PW_INPUT_INVALID', 'a command needs a program', { input: step });
    for (const arg of argv) {
      // The kernel would cut the argument at the NUL: the program would see something else than was validated.
      if (arg.includes('\0')) throw new PatchwiseError('PW_INPUT_INVALID', 'an argument contains a NUL byte', { input: step });
    }
    const full = [...this.#prefix, ...argv];
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = this.#clock();
    const t0 = performance.now();
    return new Promise((resolve) => {
      // A caller that needs more (a collector reading a whole package database) gets it: the
      // runner contract keeps at least `maxOutputBytes`; the cap only bounds job records.
      const cap = Math.max(this.#cap, options.maxOutputBytes ?? 0);
      const stdout = new TailBuffer(cap);
      const stderr = new TailBuffer(cap);
      let timedOut = false;
      let startError: Error | undefined;
      let settled = false;
      let grace: NodeJS.Timeout | undefined;
      const finish = (exitCode: number | null, signal: string | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(grace);
        const notes: string[] = [];
        if (startError) notes.push(`cannot start ${full[0] ?? ''}: ${startError.message}`);
        if (timedOut) notes.push(`killed after ${timeoutMs} ms (timeout)`);
        const err = stderr.text();
        const sep = err === '' || err.endsWith('\n') ? '' : '\n';
        resolve({
          step,
          argv: [...argv],
          exitCode,
          signal,
          stdout: stdout.text(),
          stderr: notes.length > 0 ? `${err}${sep}${notes.join('\n')}` : err,
          startedAt: started.toISOString(),
          durationMs: Math.round(performance.now() - t0),
        });
      };
      // spawn is what execFile is built on; it is used directly so output can be capped by
      // keeping the tail, where execFile's maxBuffer would kill the program mid-transaction.
      // `detached` puts the program in its own process group, so a timeout also kills the dpkg
      // and maintainer scripts apt-get started, instead of leaving them running unsupervised.
      const child = spawn(full[0] as string, full.slice(1), { shell: false, detached: true, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (err) => {
        // ENOENT, EACCES: the program never ran, so there is no exit status to wait for.
        startError = err;
        if (child.pid === undefined) finish(null, null);
      });
      child.on('close', (code, signal) => finish(startError ? null : code, signal));
      // A daemon started by a maintainer script may inherit the output pipes and hold them open
      // long after the command exited: once the command has exited, wait a little for its last
      // output, then stop reading instead of waiting for the daemon.
      child.on('exit', (code, signal) => {
        grace = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish(startError ? null : code, signal);
        }, EXIT_GRACE_MS);
      });
    });
  }
}

function buildEnv(extra: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = { PATH, LC_ALL: 'C', LANG: 'C' };
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (!ENV_NAME.test(name)) throw new PatchwiseError('PW_INPUT_INVALID', 'not a valid environment variable name', { input: name });
    if (value.includes('\0')) throw new PatchwiseError('PW_INPUT_INVALID', 'environment value contains a NUL byte', { input: name });
    env[name] = value;
  }
  return env;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

/** Keeps the last `cap` bytes of a stream and how many were dropped before them. */
class TailBuffer {
  #chunks: Buffer[] = [];
  #kept = 0;
  #dropped = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    while (this.#kept > this.cap) {
      const first = this.#chunks[0] as Buffer;
      const excess = this.#kept - this.cap;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#kept -= first.length;
        this.#dropped += first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#kept -= excess;
        this.#dropped += excess;
      }
    }
  }

  text(): string {
    const body = Buffer.concat(this.#chunks).toString('utf8');
    return this.#dropped > 0 ? `[${this.#dropped} bytes truncated]\n${body}` : body;
  }
}
