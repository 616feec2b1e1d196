import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import { controlPlane } from './migrations/0001-control-plane.js';
import { cmdb } from './migrations/0002-cmdb.js';
import { feedChanges } from './migrations/0003-feed-changes.js';
import { audit } from './migrations/0004-audit.js';
import { policy } from './migrations/0005-policy.js';
import { snapshotNames } from './migrations/0006-snapshot-names.js';
import { lighterUploads } from './migrations/0009-lighter-uploads.js';

/**
 * Numbered and append-only: a released migration is never edited, a change is a new entry.
 * Kept in code (not read from a folder) so the list is the same under tsx, tests and bundlers.
 */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-control-plane': controlPlane,
  '0002-cmdb': cmdb,
  '0003-feed-changes': feedChanges,
  '0004-audit': audit,
  '0005-policy': policy,
  '0006-snapshot-names': snapshotNames,
  // 0007 and 0008 are taken by work in progress on another branch.
  '0009-lighter-uploads': lighterUploads,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

/** Brings the schema to the newest migration; Kysely's lock table keeps concurrent servers apart. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations work on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = await migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new PatchwiseError('PW_DATABASE', `migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Brings the schema up to and including one migration (tests of a migration start before it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations work on any schema
export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  if (!(name in MIGRATIONS)) throw new PatchwiseError('PW_INPUT_INVALID', `no migration ${name}`);
  const { error } = await (await migratorFor(db)).migrateTo(name);
  if (error) throw new PatchwiseError('PW_DATABASE', `migration to ${name} failed: ${(error as Error).message}`, { cause: error });
}

/**
 * A migrator whose bookkeeping tables are in the connection's current schema. Without a schema,
 * Kysely looks for its tables in every schema of the database, so a database holding several
 * schemas (tests on one PostgreSQL) could find another schema's tables, skip creating its own,
 * and fail with "relation kysely_migration_lock does not exist".
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations work on any schema
async function migratorFor(db: Kysely<any>): Promise<Migrator> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({ db, provider, migrationTableSchema: rows[0]?.schema });
}

/** The names of every migration this build knows, oldest first. */
export function migrationNames(): string[] {
  return Object.keys(MIGRATIONS);
}
