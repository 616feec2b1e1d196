import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidArrayParam, type DatabaseHandle } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;

describe.each(kinds)('a uuid[] parameter in binary form (%s)', (kind) => {
  let handle: DatabaseHandle<Database>;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => handle.close());

  /** The server's reading of the parameter, element by element, as text. */
  const read = async (ids: readonly string[]) =>
    (await sql<{ ids: string[] | null; n: number | null }>`select (${uuidArrayParam(ids)}::uuid[])::text[] as ids, cardinality(${uuidArrayParam(ids)}::uuid[]) as n`.execute(handle.db)).rows[0];

  it('arrives as the same uuids, in order, as their text form would', async () => {
    const ids = [...Array.from({ length: 700 }, () => randomUUID()), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
    const got = await read(ids);
    expect(got?.n).toBe(ids.length);
    expect(got?.ids).toEqual(ids);
    // Upper-case digits are the same uuid; the server answers in lower case.
    expect((await read(['ABCDEF01-2345-6789-ABCD-EF0123456789']))?.ids).toEqual(['abcdef01-2345-6789-abcd-ef0123456789']);
  });

  it('is an empty array when there are none, so `any(…)` matches nothing', async () => {
    const got = await read([]);
    expect(got?.ids).toEqual([]);
    expect(got?.n).toBe(0);
    const matched = await sql<{ n: number }>`select count(*)::int as n from (values (${randomUUID()}::uuid)) v(id) where id = any(${uuidArrayParam([])}::uuid[])`.execute(handle.db);
    expect(matched.rows[0]?.n).toBe(0);
  });
});

describe('a uuid[] parameter refuses what is not a canonical uuid', () => {
  it.each(['', 'not-a-uuid', '0000000000000000000000000000000000000', '00000000-0000-0000-0000-00000000000g', '00000000_0000-0000-0000-000000000000', '{00000000-0000-0000-0000-000000000000}'])(
    '%j',
    (bad) => {
      expect(() => uuidArrayParam([randomUUID(), bad])).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', input: bad }));
    },
  );
});
