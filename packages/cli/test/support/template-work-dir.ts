import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh work folder whose `data/pglite` is a copy of the run's migrated PGlite (made once by
 * vitest globalSetup), so a test server starts in a second instead of running initdb. `data` is
 * the server's --data; the caller removes `work` when done.
 */
export function templateWorkDir(prefix: string): { work: string; data: string } {
  const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
  if (!template) throw new Error('the PGlite template is missing: vitest globalSetup did not run');
  const work = mkdtempSync(join(tmpdir(), prefix));
  const data = join(work, 'data');
  cpSync(template, join(data, 'pglite'), { recursive: true });
  return { work, data };
}
