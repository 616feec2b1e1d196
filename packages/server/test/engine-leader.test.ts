import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { EngineLeader } from '../src/rollout/engine-leader.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';

describe.runIf(await postgresAvailable())('engine leader on PostgreSQL', () => {
  let a: DatabaseHandle<Database>;
  let b: DatabaseHandle<Database>;
  beforeAll(async () => {
    a = await openTestDatabase('postgres');
    b = await openTestDatabase('postgres'); // another schema: another tenant

  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('elects one leader per schema; the next one takes over when it resigns', async () => {
    const schemaOf = async (h: DatabaseHandle<Database>) => (await sql<{ s: string }>`select current_schema() as s`.execute(h.db)).rows[0]!.s;
    // Two leaders over one pool hold two sessions, as two server processes would.
    const first = new EngineLeader(a.db);
    const second = new EngineLeader(a.db);
    const otherSchema = new EngineLeader(b.db);
    expect(await schemaOf(a)).not.toBe(await schemaOf(b));
    expect(await first.isLeader()).toBe(true);
    expect(await second.isLeader()).toBe(false);
    expect(await first.isLeader()).toBe(true);
    expect(await otherSchema.isLeader()).toBe(true);
    await first.resign();
    expect(await second.isLeader()).toBe(true);
    await second.resign();
    await otherSchema.resign();
  });
});
