/**
 * Storage: opening the embedded PGlite or a PostgreSQL server behind one Kysely interface, and
 * the numbered migrations. Each module declares and writes its own tables (prefixed by its name).
 */
export { openDatabase } from './open-database.js';
export type { DatabaseHandle, DatabaseOptions } from './open-database.js';
export { migrateToLatest, migrateUpTo, migrationsFingerprint } from './migrate.js';
export { uuidArrayParam } from './uuid-array-param.js';
