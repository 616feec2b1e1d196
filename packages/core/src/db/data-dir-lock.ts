import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchwiseError } from '../errors/index.js';

/** The lock file inside a PGlite data directory (PGlite ignores files it does not know). */
export const DATA_DIR_LOCK_FILE = 'patchwise.lock';

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still this process's. */
  release(): void;
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
 * One process per PGlite directory. PGlite takes no lock of its own (its postmaster.pid always
 * says -42), and two processes writing one directory lose each other's commits without an error;
 * so the opener holds `patchwise.lock` with its process id. A lock whose process is gone (kill -9,
 * a crash) is taken over, which is what makes a restart after kill -9 work; another live holder
 * refuses the open and is named. A lock holding this process's own id is a previous incarnation's
 * (a container's server is often pid 1 again after a restart), so it is taken over too; so is a
 * lock whose id now belongs to a process that started at another time (after a reboot, say).
 */
export function lockDataDir(dir: string, pid = process.pid, alive: (holder: LockHolder) => boolean = holderAlive): DataDirLock {
  const path = join(dir, DATA_DIR_LOCK_FILE);
  // Written aside and linked into place: the lock file appears whole or not at all, so a reader
  // never mistakes a lock being made for one whose holder died before writing its id.
  const aside = `${path}.${pid}`;
  const started = processStarted(pid);
  writeFileSync(aside, `${started ? `${pid} ${started}` : pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(aside, path);
        return { path, release: () => (holderOf(path)?.pid === pid ? rmSync(path, { force: true }) : undefined) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = holderOf(path);
      if (holder !== undefined && holder.pid !== pid && alive(holder)) {
        throw new PatchwiseError('PW_CONFLICT', `the database directory is in use by process ${holder.pid}; one process at a time may open a PGlite directory`, { input: dir });
      }
      rmSync(path, { force: true }); // its process is gone: a stale lock
    }
    throw new PatchwiseError('PW_CONFLICT', 'the database directory is being locked by another process at the same moment', { input: dir });
  } finally {
    rmSync(aside, { force: true });
  }
}

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
