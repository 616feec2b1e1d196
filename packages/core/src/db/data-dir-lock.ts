import { lockDirectory, type DirectoryLock, type LockHolder } from '../dir-lock/index.js';

/** The lock file inside a PGlite data directory (PGlite ignores files it does not know). */
export const DATA_DIR_LOCK_FILE = 'patchwise.lock';

/**
 * One process per PGlite directory. PGlite takes no lock of its own (its postmaster.pid always
 * says -42), and two processes writing one directory lose each other's commits without an error;
 * so the opener holds `patchwise.lock` (see lockDirectory for takeover after kill -9).
 */
export function lockDataDir(dir: string, pid = process.pid, alive?: (holder: LockHolder) => boolean): DirectoryLock {
  return lockDirectory(dir, {
    file: DATA_DIR_LOCK_FILE,
    pid,
    alive,
    refusal: (holder) => `the database directory is in use by process ${holder}; one process at a time may open a PGlite directory`,
  });
}
