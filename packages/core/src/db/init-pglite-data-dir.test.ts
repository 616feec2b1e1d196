import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { initPgliteDataDir } from './init-pglite-data-dir.js';
import { openDatabase } from './open-database.js';

/** This process's peak resident memory so far, MiB. */
function peakRssMiB(): number {
  return Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
}

describe('a new PGlite data directory', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('is created by initdb in a child process: usable, with 32 MB of shared buffers, and without initdb’s peak in this process', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'patchwise-initdb-')), 'pglite');
    dirs.push(dir);
    const before = peakRssMiB();
    const handle = await openDatabase({ kind: 'pglite', dataDir: dir });
    try {
      expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
      const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(handle.db);
      expect(rows[0]?.shared_buffers).toBe('32MB');
      await sql`create table t (n int)`.execute(handle.db);
      await sql`insert into t values (1)`.execute(handle.db);
      expect((await sql<{ n: number }>`select n from t`.execute(handle.db)).rows).toEqual([{ n: 1 }]);
    } finally {
      await handle.close();
    }
    // initdb in this process would have raised its peak by ~600 MB or more; reopening costs ~150.
    expect(peakRssMiB() - before).toBeLessThan(400);
    // The directory exists now: nothing more to create, and what was stored is still there.
    expect(await initPgliteDataDir(dir)).toBe(false);
    const again = await openDatabase({ kind: 'pglite', dataDir: dir });
    try {
      expect((await sql<{ n: number }>`select n from t`.execute(again.db)).rows).toEqual([{ n: 1 }]);
    } finally {
      await again.close();
    }
  }, 120_000);
});
