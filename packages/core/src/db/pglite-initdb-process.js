// Entry point of the short-lived process that creates a PGlite data directory (see
// init-pglite-data-dir.ts). Plain JavaScript, so it starts without the TypeScript loader.
import { PGlite } from '@electric-sql/pglite';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: pglite-initdb-process.js DATA_DIR\n');
  process.exit(2);
}
const pglite = await PGlite.create(dataDir);
await pglite.close();
