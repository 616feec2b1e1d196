/**
 * Vitest global setup: one migrated PGlite data directory per run, copied by each test that
 * needs a database. A PGlite initdb costs seconds and ~800 MB; a copy costs milliseconds.
 */
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, migrationsFingerprint, openDatabase } from '@patchwise/core';

export const TEMPLATE_ENV = 'PATCHWISE_TEST_PGLITE_TEMPLATE';

export async function setup(): Promise<void> {
  const tag = migrationsFingerprint().slice(0, 12);
  const template = join(tmpdir(), `patchwise-pglite-template-${tag}`);
  if (!existsSync(template)) {
    const building = mkdtempSync(join(tmpdir(), 'patchwise-pglite-building-'));
    const handle = await openDatabase({ kind: 'pglite', dataDir: building });
    await migrateToLatest(handle.db);
    await handle.close();
    try {
      renameSync(building, template);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another run finished first
    }
  }
  process.env[TEMPLATE_ENV] = template;
}
