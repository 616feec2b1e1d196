import { makeWritableDirectory } from '@patchwise/core';
import { startFailure } from './start-failure.js';

/**
 * Makes the server's data directory (mode 0700, with its missing parents) and checks that files
 * can be created in it, before anything else uses it (makeWritableDirectory); a failure is the
 * start failure naming `--data` (start-failure.ts).
 */
export function ensureDataDir(dataDir: string): void {
  try {
    makeWritableDirectory(dataDir, 0o700);
  } catch (err) {
    throw startFailure(err, { kind: 'data', dataDir });
  }
}
