/**
 * The child process of the PGlite kill-recovery test: opens the PGlite database in argv[2]
 * through `openDatabase`, prints what it finds, then commits numbered rows one transaction at a
 * time (a checkpoint every 25) and prints each number once its commit has returned, until it is
 * killed. Writes to a pipe are synchronous on Linux, so a printed number was acknowledged.
 */
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/index.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: pglite-writer DATA_DIR');
process.stdout.write('opening\n');
const { db } = await openDatabase({ kind: 'pglite', dataDir });
await sql`create table if not exists crash_rows (n integer primary key, pad text not null)`.execute(db);
const { rows } = await sql<{ count: number; max: number }>`select count(*)::int as count, coalesce(max(n), 0)::int as max from crash_rows`.execute(db);
const found = rows[0] ?? { count: 0, max: 0 };
process.stdout.write(`opened ${found.count} ${found.max}\n`);
for (let n = found.max + 1; ; n++) {
  await db.transaction().execute(async (trx) => {
    await sql`insert into crash_rows (n, pad) values (${n}, repeat('x', 500))`.execute(trx);
    await sql`update crash_rows set pad = repeat('y', 500) where n = ${n - 1}`.execute(trx);
  });
  process.stdout.write(`committed ${n}\n`);
  if (n % 25 === 0) await sql`checkpoint`.execute(db);
}
