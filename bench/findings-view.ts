/**
 * Diagnostic benchmark: the shapes behind stop 23's findings changes, on synthetic data in a
 * scratch schema of the PostgreSQL at 127.0.0.1:5432 (dropped afterwards). N sets of E entries
 * (keys and details as `uuid[]`, the columns of migration 0033), 50,000 details, one row per set
 * overriding its tenth entry. Times, alternating, median of R rounds:
 *
 * - the fleet's first page by priority through the view, telling overridden entries by (host,
 *   key) (migration 0033) and by id (0034);
 * - that page with every detail column sorted, and with narrow columns sorted and the details
 *   read after (what `FindingsStore.list` does now);
 * - inserting the sets with their arrays bound as text literals, and as binary `uuid[]`
 *   (`uuidArrayParam`), 6 sets a statement as an upload batch writes them.
 *
 *   flock /tmp/patchwise-bench.lock node --import tsx bench/findings-view.ts [--sets 10000] [--entries 525] [--rounds 3]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { uuidArrayParam } from '@patchwise/core';

const URL = process.env.PATCHWISE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const { values } = parseArgs({ options: { sets: { type: 'string' }, entries: { type: 'string' }, rounds: { type: 'string' } } });
const SETS = Number(values.sets ?? 10000);
const ENTRIES = Number(values.entries ?? 525);
const ROUNDS = Number(values.rounds ?? 3);
const DETAILS = 50000;

const view = (name: string, overridden: string) => `
  create view ${name} as
    select id, host_id, key, detail_id, state, first_seen from xr
    union all
    select s.first_id + e.n - 1, s.host_id, e.key, e.detail_id, 'open', s.since
    from xs s cross join lateral unnest(s.keys, s.details) with ordinality as e(key, detail_id, n)
    where not exists (select 1 from xr r where ${overridden})`;
const WIDE = (v: string) => `select d.*, s.id, s.host_id, s.first_seen from ${v} s join xd d on d.id = s.detail_id
  where s.state = 'open' order by d.priority, d.epss desc nulls last, s.id limit 100`;
const NARROW = (v: string) => `select d.*, p.id, p.host_id, p.first_seen from (select s.id, s.host_id, s.first_seen, s.detail_id from ${v} s join xd d on d.id = s.detail_id
  where s.state = 'open' order by d.priority, d.epss desc nulls last, s.id limit 100) p join xd d on d.id = p.detail_id`;

async function main(): Promise<void> {
  const schema = `pw_bench_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: URL, options: `-c search_path=${schema}` });
  await client.connect();
  await client.query(`create schema ${schema}`);
  try {
    await client.query(`
      create table xd (id uuid primary key, priority text, epss real, summary text, reasons jsonb, aliases jsonb);
      insert into xd select gen_random_uuid(), 'P' || (1 + g % 4), random(), repeat('summary ', 12), '["high severity", "fix available"]', '["CVE-2026-1"]'
        from generate_series(1, ${DETAILS}) g;
      create temp table pool as select row_number() over () as rn, id from xd;
      create table xs (host_id uuid primary key, first_id bigint unique, keys uuid[], details uuid[], since timestamptz);
      insert into xs select gen_random_uuid(), 1125899906842624 + g::bigint * 1048576,
        (select array_agg(gen_random_uuid()) from generate_series(1, ${ENTRIES}) where g > 0),
        (select array_agg(p.id) from generate_series(1, ${ENTRIES}) i join pool p on p.rn = 1 + ((g * 7 + i * 97) % ${DETAILS})),
        now() from generate_series(1, ${SETS}) g;
      create table xr (id bigint primary key, host_id uuid, key uuid, detail_id uuid, state text, first_seen timestamptz);
      create index on xr (host_id, key);
      insert into xr select s.first_id + 9, s.host_id, s.keys[10], s.details[10], 'fixed', now() from xs s;
      analyze xd; analyze xs; analyze xr;
      ${view('by_key', 'r.host_id = s.host_id and r.key = e.key')};
      ${view('by_id', 'r.id = s.first_id + e.n - 1')};
      create table ys (host_id uuid primary key, keys uuid[], details uuid[]);`);
    const text = (ids: readonly string[]) => `{${ids.join(',')}}`;
    const batches = Array.from({ length: 100 }, () => Array.from({ length: 6 }, () => ({ host: randomUUID(), keys: Array.from({ length: ENTRIES }, randomUUID), details: Array.from({ length: ENTRIES }, randomUUID) })));
    const cases: Record<string, () => Promise<unknown>> = {
      'first page, overridden by (host, key), every column sorted': () => client.query(WIDE('by_key')),
      'first page, overridden by id, every column sorted': () => client.query(WIDE('by_id')),
      'first page, overridden by id, narrow columns sorted': () => client.query(NARROW('by_id')),
      [`600 sets inserted, arrays as text literals (ms per set)`]: async () => {
        await client.query('truncate ys');
        for (const b of batches) {
          await client.query('insert into ys select u.h, u.k::uuid[], u.d::uuid[] from unnest($1::uuid[], $2::text[], $3::text[]) u(h, k, d)', [text(b.map((s) => s.host)), b.map((s) => text(s.keys)), b.map((s) => text(s.details))]);
        }
      },
      [`600 sets inserted, arrays as binary uuid[] (ms per set)`]: async () => {
        await client.query('truncate ys');
        for (const b of batches) {
          const firsts = b.map((_, i) => i * ENTRIES + 1);
          await client.query('insert into ys select u.h, ($2::uuid[])[u.f:u.f + $4 - 1], ($3::uuid[])[u.f:u.f + $4 - 1] from unnest($1::uuid[], $5::int[]) u(h, f)', [
            uuidArrayParam(b.map((s) => s.host)), uuidArrayParam(b.flatMap((s) => s.keys)), uuidArrayParam(b.flatMap((s) => s.details)), ENTRIES, firsts,
          ]);
        }
      },
    };
    const times = new Map<string, number[]>(Object.keys(cases).map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(cases)) {
        const start = performance.now();
        await run();
        times.get(name)?.push(performance.now() - start);
      }
    }
    console.log(`${SETS} sets of ${ENTRIES} entries, ${DETAILS} details; median of ${ROUNDS} rounds (each round in this order)`);
    for (const [name, ms] of times) {
      const sorted = [...ms].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] as number;
      const shown = name.includes('per set') ? `${(median / 600).toFixed(3)} ms` : `${median.toFixed(0)} ms`;
      console.log(`  ${name.padEnd(64)} ${shown}   (rounds: ${ms.map((x) => x.toFixed(0)).join(', ')} ms)`);
    }
  } finally {
    await client.query(`drop schema ${schema} cascade`);
    await client.end();
  }
}

await main();
