/**
 * How collectors run programs: `execFile` with an argument array (never a shell, so no argument is
 * ever interpreted), a timeout and an output cap. Injected so a composition root can add logging.
 */
import { execFile } from 'node:child_process';

export interface RunOptions {
  /** Milliseconds before the program is killed. */
  readonly timeoutMs: number;
  /** Largest stdout or stderr accepted, in bytes; more kills the program. */
  readonly maxBuffer: number;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `file` with `args`. Rejects with Node's execFile error: `code` is `ENOENT` when the program
 * is missing, `ERR_CHILD_PROCESS_STDIO_MAXBUFFER` when the output cap was hit, the exit status
 * otherwise; `killed` is true after a timeout. The error carries `stderr`.
 */
export type RunCommand = (file: string, args: readonly string[], options: RunOptions) => Promise<RunResult>;

/** The real runner. `LC_ALL=C` so that messages are stable (they end up in warnings). */
export const runCommand: RunCommand = (file, args, options) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      {
        encoding: 'utf8',
        timeout: options.timeoutMs,
        maxBuffer: options.maxBuffer,
        killSignal: 'SIGKILL',
        env: { ...process.env, LC_ALL: 'C' },
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        // ExecFileException omits Error's brand in its type; it is an Error at runtime.
        if (err) reject(Object.assign(err as Error, { stdout, stderr }));
        else resolve({ stdout, stderr });
      },
    );
  });
