import { Kysely, PostgresDialect } from 'kysely';
import { makeDirectories } from '../directories/index.js';
import { PatchwiseError } from '../errors/index.js';
import { lockDataDir } from './data-dir-lock.js';
import { preparingClient } from './preparing-client.js';
import { StatementNames } from './statement-names.js';
import { initPgliteDataDir } from './init-pglite-data-dir.js';

/**
 * PGlite's shared buffers live in its WebAssembly memory, which is part of the process and never
 * shrinks: PostgreSQL's default of 128 MB would stay resident for the server's life. PGlite
 * reads pages through the operating system's file cache, so a miss here costs a system call,
 * not a disk read; 32 MB keeps the hot pages (host rows, indexes' upper levels).
 */
const PGLITE_SHARED_BUFFERS = '32MB';

/** Where the data lives: the embedded PGlite in a directory (the default), or a PostgreSQL server. */
export type DatabaseOptions =
  | { readonly kind: 'pglite'; readonly dataDir: string }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** Schema to work in (tests isolate themselves this way); default the server's search_path. */
      readonly schema?: string | undefined;
      readonly poolSize?: number | undefined;
    };

/** An open database. `close()` must be awaited: an open PGlite keeps the process alive. */
export interface DatabaseHandle<DB = unknown> {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseOptions['kind'];
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the database without migrating it (see `migrateToLatest`). The same SQL runs on both:
 * PGlite is PostgreSQL compiled to WebAssembly, so there is one dialect to write and test.
 */
export async function openDatabase<DB = unknown>(options: DatabaseOptions): Promise<DatabaseHandle<DB>> {
  if (options.kind === 'pglite') {
    try {
      // Not Node's recursive mkdir: it never returns for a directory under /proc (make-directories.ts).
      makeDirectories(options.dataDir);
    } catch (err) {
      throw new PatchwiseError('PW_INPUT_UNREADABLE', `cannot create the data directory: ${(err as Error).message}`, {
        input: options.dataDir,
        cause: err,
      });
    }
    // Drivers load on first use: `patchwise scan` and the agent import core but need no database.
    const [{ PGlite }, { PGliteDialect }] = await Promise.all([import('@electric-sql/pglite'), import('kysely-pglite-dialect')]);
    // The lock first: a second process must not run initdb, or open, beside a live one.
    const lock = lockDataDir(options.dataDir);
    let pglite: InstanceType<typeof PGlite>;
    try {
      await initPgliteDataDir(options.dataDir);
      pglite = await PGlite.create(options.dataDir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`] });
    } catch (err) {
      lock.release();
      throw err;
    }
    const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
    return {
      db,
      kind: 'pglite',
      close: async () => {
        // Kysely's destroy does not close the PGlite instance it was given.
        await db.destroy();
        if (!pglite.closed) await pglite.close();
        lock.release();
      },
    };
  }
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'schema must be a lower-case SQL identifier', { input: options.schema });
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    Client: preparingClient(pg.Client, new StatementNames()),
    connectionString: options.url,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}
