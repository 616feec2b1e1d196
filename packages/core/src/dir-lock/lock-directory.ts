import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PatchwiseError } from '../errors/index.js';

export interface DirectoryLock {
  readonly path: string;
  /** Removes the lock file if it is still this holder's. */
  release(): void;
}

export interface LockDirectoryOptions {
  /** The lock file's name inside the directory. */
  readonly file: string;
  /** The refusal's message, naming the live holder's process id (the error names the directory). */
  readonly refusal: (holderPid: number) => string;
  /** The locking process (tests pose as others). */
  readonly pid?: number | undefined;
  /** Whether a holder still runs (tests decide). */
  readonly alive?: ((holder: LockHolder) => boolean) | undefined;
}

/**
 * Who holds a lock: a process id and, where Linux's /proc tells it, when that process started
 * (boot id and start time), so that the id reused by another process, after a reboot or a
 * restart, is not taken for the holder.
 */
export interface LockHolder {
  readonly pid: number;
  readonly started?: string | undefined;
}

/** Whether a process with this id exists (EPERM: it does, someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When a process started, as `<boot id>:<start time in clock ticks>`; undefined where /proc does not say (another OS, a hidden process). */
export function processStarted(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const start = fields[19]; // field 22, starttime; the split begins at field 3
    return boot && start ? `${boot}:${start}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's holder still runs: its id is alive and, when the lock says when it started,
 * the process with that id started then. A start that cannot be read now counts as the same
 * process: refusing an open is recoverable, two processes writing one directory is not.
 */
export function holderAlive(holder: LockHolder): boolean {
  if (!processAlive(holder.pid)) return false;
  if (holder.started === undefined) return true;
  const now = processStarted(holder.pid);
  return now === undefined || now === holder.started;
}

/**
 * One process at a time in a directory (a PGlite data directory, an agent's state directory):
 * the holder keeps `<dir>/<file>` with its process id and start time. A lock whose process is
 * gone (kill -9, a crash) is taken over, which is what makes a restart after kill -9 work;
 * another live holder refuses the lock and is named. A lock holding this process's own id is a
 * previous incarnation's (a container's server is often pid 1 again after a restart), so it is
 * taken over too, unless this process holds it now (two agents or databases in one process,
 * as tests and embedders run them); so is a lock whose id now belongs to a process that started
 * at another time (after a reboot, say). Throws PW_CONFLICT naming the directory.
 */
export function lockDirectory(dir: string, options: LockDirectoryOptions): DirectoryLock {
  const pid = options.pid ?? process.pid;
  const alive = options.alive ?? holderAlive;
  const path = join(dir, options.file);
  // Written aside and linked into place: the lock file appears whole or not at all, so a reader
  // never mistakes a lock being made for one whose holder died before writing its id.
  const aside = `${path}.${pid}`;
  const started = processStarted(pid);
  writeFileSync(aside, `${started ? `${pid} ${started}` : pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(aside, path);
        const key = resolve(path);
        const token = Symbol(key);
        heldHere.set(key, token);
        return {
          path,
          release: () => {
            if (heldHere.get(key) !== token) return; // released already, or taken over since
            heldHere.delete(key);
            if (holderOf(path)?.pid === pid) rmSync(path, { force: true });
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = holderOf(path);
      const ours = holder?.pid === pid;
      if (holder !== undefined && ((ours && heldHere.has(resolve(path))) || (!ours && alive(holder)))) {
        throw new PatchwiseError('PW_CONFLICT', options.refusal(holder.pid), { input: dir });
      }
      rmSync(path, { force: true }); // its process is gone: a stale lock
    }
    throw new PatchwiseError('PW_CONFLICT', 'the directory is being locked by another process at the same moment', { input: dir });
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * The lock files this process holds now (by absolute path), each with the token of the lock that
 * holds it: a lock file with this process's id is then told apart from one a previous process
 * with the same id left. Process-wide because a process id is.
 */
const heldHere = new Map<string, symbol>();

/** The lock's holder: `<pid> [<started>]` (locks of earlier releases hold the id alone). */
function holderOf(path: string): LockHolder | undefined {
  try {
    const [id, started] = readFileSync(path, 'utf8').trim().split(' ');
    const pid = Number(id);
    return Number.isInteger(pid) && pid > 0 ? { pid, started } : undefined;
  } catch {
    return undefined;
  }
}
