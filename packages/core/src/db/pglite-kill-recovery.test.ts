/**
 * The embedded database after kill -9: Patchwise's durability promise ("kill the server at any
 * moment, start it again") rests on PGlite reopening its data directory after SIGKILL with every
 * commit it acknowledged. A child process writes through `openDatabase` and is killed at seeded
 * moments: while opening (recovering from the previous kill), between commits, inside checkpoints.
 * PGlite runs with fsync off and its Node filesystem has no fsync, so this holds for a killed
 * process, not for a machine that loses power (docs/deployments.md).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './index.js';

const WRITER = resolve(import.meta.dirname, '../../test/support/pglite-writer.ts');
const dir = mkdtempSync(join(tmpdir(), 'pw-pglite-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Round {
  /** What the child found on opening, if it got that far. */
  readonly opened: { count: number; max: number } | undefined;
  /** The last commit it acknowledged before the kill. */
  readonly acknowledged: number | undefined;
}

/** Starts the writer, waits for `until` in its output, then `extraMs`, then SIGKILL. */
async function killedRound(until: RegExp, extraMs: number): Promise<Round> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, join(dir, 'pglite')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let ended = false;
  void exited.then(() => (ended = true));
  const deadline = Date.now() + 60_000;
  while (!until.test(out) && !ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  await new Promise((r) => setTimeout(r, extraMs));
  child.kill('SIGKILL');
  const exit = await exited;
  // Anything but our SIGKILL (it failed to open, or threw) is the failure this test looks for.
  expect(exit, out).toEqual({ code: null, signal: 'SIGKILL' });
  const opened = /^opened (\d+) (\d+)$/m.exec(out);
  const commits = [...out.matchAll(/^committed (\d+)$/gm)];
  return { opened: opened ? { count: Number(opened[1]), max: Number(opened[2]) } : undefined, acknowledged: commits.length > 0 ? Number(commits.at(-1)![1]) : undefined };
}

describe('PGlite killed with SIGKILL', () => {
  it('opens again after each kill with every acknowledged commit and nothing twice', async () => {
    const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
    if (template) cpSync(template, join(dir, 'pglite'), { recursive: true });
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    let acknowledged = 0;
    for (let round = 0; round < 8; round++) {
      // Even rounds: killed while opening (recovery from the last kill under way); odd: while writing.
      const r = round % 2 === 0 ? await killedRound(/^opening$/m, Math.floor(random() * 600)) : await killedRound(/^committed \d+$/m, Math.floor(random() * 400));
      if (r.opened) {
        expect(r.opened.max, `round ${round}: acknowledged commits lost`).toBeGreaterThanOrEqual(acknowledged);
        expect(r.opened.count, `round ${round}: rows are 1..max, each once`).toBe(r.opened.max);
      }
      acknowledged = Math.max(acknowledged, r.acknowledged ?? 0);
    }
    expect(acknowledged, 'the writer got to commit').toBeGreaterThan(0);
    const handle = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'pglite') });
    try {
      const { rows } = await sql<{ count: number; max: number }>`select count(*)::int as count, max(n)::int as max from crash_rows`.execute(handle.db);
      expect(rows[0]!.max).toBeGreaterThanOrEqual(acknowledged);
      expect(rows[0]!.count).toBe(rows[0]!.max);
    } finally {
      await handle.close();
    }
  });
});
