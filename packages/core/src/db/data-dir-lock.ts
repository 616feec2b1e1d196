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

/** Whether a process with this id exists (EPERM: it does, someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process per PGlite directory. PGlite takes no lock of its own (its postmaster.pid always
 * says -42), and two processes writing one directory lose each other's commits without an error;
 * so the opener holds `patchwise.lock` with its process id. A lock whose process is gone (kill -9,
 * a crash) is taken over, which is what makes a restart after kill -9 work; another live holder
 * refuses the open and is named. A lock holding this process's own id is a previous incarnation's
 * (a container's server is often pid 1 again after a restart), so it is taken over too.
 */
export function lockDataDir(dir: string, pid = process.pid, alive: (pid: number) => boolean = processAlive): DataDirLock {
  const path = join(dir, DATA_DIR_LOCK_FILE);
  // Written aside and linked into place: the lock file appears whole or not at all, so a reader
  // never mistakes a lock being made for one whose holder died before writing its id.
  const aside = `${path}.${pid}`;
  writeFileSync(aside, `${pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(aside, path);
        return { path, release: () => (holderOf(path) === pid ? rmSync(path, { force: true }) : undefined) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = holderOf(path);
      if (holder !== undefined && holder !== pid && alive(holder)) {
        throw new PatchwiseError('PW_CONFLICT', `the database directory is in use by process ${holder}; one process at a time may open a PGlite directory`, { input: dir });
      }
      rmSync(path, { force: true }); // its process is gone: a stale lock
    }
    throw new PatchwiseError('PW_CONFLICT', 'the database directory is being locked by another process at the same moment', { input: dir });
  } finally {
    rmSync(aside, { force: true });
  }
}

function holderOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
