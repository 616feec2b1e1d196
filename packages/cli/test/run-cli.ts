import { execFile, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../../..');
export const BIN = resolve(REPO, 'packages/cli/bin/patchwise.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `patchwise` binary in a child process, from the repository root. */
export function runCli(args: readonly string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, input, encoding: 'utf8', maxBuffer: 1 << 30 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same, without blocking this process: for commands that talk to a server (or a feed host)
 * living in this test process or beside it. With `timeoutMs`, a command still running then is
 * killed (SIGKILL) and its status is null: a test of something that must not hang fails instead.
 */
export function runCliAsync(args: readonly string[], env: NodeJS.ProcessEnv = process.env, input?: string, options: { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((done) => {
    const limit = options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const };
    const child = execFile(process.execPath, [BIN, ...args], { cwd: REPO, env, encoding: 'utf8', maxBuffer: 1 << 28, ...limit }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ status, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

export const SAMPLES = {
  advisories: 'samples/advisories',
  kev: 'samples/kev/known_exploited_vulnerabilities.json',
  epss: 'samples/epss/epss_scores.csv',
  inventories: 'samples/inventories',
};
