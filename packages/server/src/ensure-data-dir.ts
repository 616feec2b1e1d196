import { closeSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectories } from '@patchwise/core';
import { startFailure } from './start-failure.js';

/**
 * Makes the server's data directory (mode 0700, with its missing parents) and checks that files
 * can be created in it, before anything else uses it; a failure is the start failure naming
 * `--data` (start-failure.ts). Being a directory is not enough: /proc/self is one and takes no
 * files, and the lock, PGlite's initdb and the key files would each fail on it later, further
 * from the cause. makeDirectories, not Node's recursive mkdir, which never returns for a path
 * under /proc (see make-directories.ts).
 */
export function ensureDataDir(dataDir: string): void {
  try {
    makeDirectories(dataDir, 0o700);
    const probe = join(dataDir, `.patchwise-write-test-${process.pid}`);
    closeSync(openSync(probe, 'w', 0o600));
    rmSync(probe, { force: true });
  } catch (err) {
    throw startFailure(err, { kind: 'data', dataDir });
  }
}
