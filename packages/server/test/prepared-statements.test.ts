import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';

const kinds = (await postgresAvailable()) ? (['postgres'] as const) : ([] as const);

describe.each(kinds)('statements that recur are prepared once per connection (%s)', (kind) => {
  let handle: DatabaseHandle<Database>;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => handle.close());

  const prepared = (conn: DatabaseHandle<Database>['db']) =>
    sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements where name like 'pw\_%'`.execute(conn);

  it('names a statement after its third use, and it answers as before', async () => {
    await handle.db.connection().execute(async (conn) => {
      const marker = `recurring-${Date.now()}`;
      const run = async (n: number) => (await sql<{ v: string; n: number }>`select ${marker}::text as v, ${n}::int * 2 as n`.execute(conn)).rows[0];
      expect(await run(1)).toEqual({ v: marker, n: 2 });
      expect(await run(2)).toEqual({ v: marker, n: 4 });
      expect((await prepared(conn)).rows.some((r) => r.statement.includes('::int * 2'))).toBe(false);
      for (let i = 3; i <= 8; i++) expect(await run(i)).toEqual({ v: marker, n: i * 2 });
      const named = (await prepared(conn)).rows.filter((r) => r.statement.includes('::int * 2'));
      expect(named).toHaveLength(1);
    });
  });

  it('reports a failing named statement as an error and runs it again afterwards', async () => {
    await handle.db.connection().execute(async (conn) => {
      const divide = (d: number) => sql<{ q: number }>`select 10 / ${d}::int as q`.execute(conn);
      for (let i = 0; i < 4; i++) expect((await divide(5)).rows[0]?.q).toBe(2);
      await expect(divide(0)).rejects.toThrow(/division by zero/);
      expect((await divide(2)).rows[0]?.q).toBe(5);
    });
  });
});
