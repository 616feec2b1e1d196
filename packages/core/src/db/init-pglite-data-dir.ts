import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PatchwiseError } from '../errors/index.js';

const CHILD = fileURLToPath(new URL('./pglite-initdb-process.js', import.meta.url));

/**
 * Creates a PGlite data directory (initdb) in a child process when it has none yet.
 *
 * Why not in this process: PGlite's initdb runs a second PostgreSQL instance in WebAssembly
 * and passes the new cluster through an in-memory archive, which takes ~900 MB at its peak and
 * leaves ~120 MB resident afterwards. A server's resident memory (and its peak, which is what a
 * memory limit kills on) would then carry that for its whole life; a child returns it all when
 * it exits. Reopening an existing directory costs ~0.3 s and no such peak.
 */
export async function initPgliteDataDir(dataDir: string): Promise<boolean> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return false;
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [CHILD, dataDir], { maxBuffer: 4 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      reject(
        new PatchwiseError('PW_INPUT_UNREADABLE', `cannot create the PGlite database: ${stderr.trim().split('\n').slice(-3).join(' ') || err.message}`, {
          input: dataDir,
          cause: err,
        }),
      );
    });
  });
  return true;
}
