import { closeSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectories } from './make-directories.js';

/**
 * Makes `dir` (with its missing parents, each with `mode`) and checks that a file can be created
 * in it; throws the system's error otherwise. For a program's own directory (the server's data,
 * the agent's state), checked once at start: being a directory is not enough, since /proc/self
 * is one and takes no files, and the lock, the database and the key files would each fail on it
 * later, further from the cause.
 */
export function makeWritableDirectory(dir: string, mode?: number): void {
  makeDirectories(dir, mode);
  const probe = join(dir, `.patchwise-write-test-${process.pid}`);
  closeSync(openSync(probe, 'w', 0o600));
  rmSync(probe, { force: true });
}
