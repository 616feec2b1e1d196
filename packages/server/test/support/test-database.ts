import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, migrateUpTo, openDatabase, type DatabaseHandle } from '@patchwise/core';
import type { Database } from '../../src/database.js';

export type TestDatabaseKind = 'pglite' | 'postgres';

export const POSTGRES_URL = process.env.PATCHWISE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL answers; on CI it must, so a missing server fails instead of skipping. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (err) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is required on CI (${POSTGRES_URL}): ${(err as Error).message}`);
    return false;
  }
}

/**
 * A fresh, migrated database: a copy of the run's PGlite template, or a new schema on the
 * PostgreSQL server (dropped on close), so tests never see each other's rows.
 */
export async function openTestDatabase(kind: TestDatabaseKind): Promise<DatabaseHandle<Database>> {
  if (kind === 'pglite') {
    const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
    if (!template) throw new Error('the PGlite template is missing: vitest globalSetup did not run');
    const dir = mkdtempSync(join(tmpdir(), 'patchwise-test-db-'));
    cpSync(template, dir, { recursive: true });
    const handle = await openDatabase<Database>({ kind: 'pglite', dataDir: dir });
    return {
      ...handle,
      close: async () => {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = await createSchema();
  const handle = await openDatabase<Database>({ kind: 'postgres', url: POSTGRES_URL, schema, poolSize: 4 });
  await migrateToLatest(handle.db);
  return { ...handle, close: async () => (await handle.close(), await dropSchema(schema)) };
}

/**
 * A fresh database migrated up to (and including) one migration, for upgrade tests; `dispose`
 * closes and removes it.
 */
export async function openDatabaseAt(kind: TestDatabaseKind, migration: string): Promise<{ handle: DatabaseHandle<Database>; dispose: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'patchwise-migration-'));
    const handle = await openDatabase<Database>({ kind: 'pglite', dataDir: dir });
    await migrateUpTo(handle.db, migration);
    return { handle, dispose: async () => (await handle.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  const schema = await createSchema();
  const handle = await openDatabase<Database>({ kind: 'postgres', url: POSTGRES_URL, schema, poolSize: 2 });
  await migrateUpTo(handle.db, migration);
  return { handle, dispose: async () => (await handle.close(), await dropSchema(schema)) };
}

/** A new schema of its own on the PostgreSQL server, for one test's database. */
async function createSchema(): Promise<string> {
  const schema = `pw_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  return schema;
}

async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`drop schema ${schema} cascade`);
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
