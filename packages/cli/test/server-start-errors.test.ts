/**
 * `patchwise server` that cannot start says which setting is at fault, on one line without a
 * stack: the data directory, the listen address, the PostgreSQL of DATABASE_URL (a real
 * PostgreSQL at 127.0.0.1:5432 answers for a database that does not exist).
 */
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'pw-server-start-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const server = (args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs?: number) =>
  runCliAsync(['server', ...args], { ...process.env, DATABASE_URL: undefined, PATCHWISE_URL: undefined, PATCHWISE_TOKEN: undefined, ...env }, undefined, timeoutMs === undefined ? {} : { timeoutMs });

/** A port something else already listens on. */
async function takenPort(): Promise<{ port: number; holder: Server }> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  return { port: (holder.address() as { port: number }).port, holder };
}

describe('a server that cannot start', () => {
  it('names --data when it is a file', async () => {
    const file = join(work, 'afile');
    writeFileSync(file, '');
    const r = await server(['--data', file, '--listen', '127.0.0.1:0']);
    expect([r.status, r.stderr]).toEqual([2, `patchwise: --data ${file}: is not a directory\n`]);
  });

  // Node's recursive mkdir spun forever on these (a parent that exists but answers ENOENT), so the
  // server never printed a word; each is killed after the limit, failing the test, if it hangs.
  it.runIf(existsSync('/proc/self'))('fails at once, naming --data, where the directory cannot be made or cannot hold files (/proc, a symlink to nothing)', async () => {
    const dangling = join(work, 'dangling');
    symlinkSync(join(work, 'no-such-directory'), dangling);
    const file = join(work, 'a-file');
    writeFileSync(file, '');
    const refused = 'cannot be created or written here: the file system takes no new files there (as /proc does not)';
    const cases: [string, string][] = [
      ['/proc/x', refused],
      ['/proc/x/y/z', refused],
      // A directory, but none that takes files: the lock, initdb and the keys would each fail later.
      ['/proc/self', refused],
      [join(dangling, 'data'), `${dangling} is in the way: not a directory (a file, or a symbolic link to nothing)`],
      [join(file, 'data'), 'is not a directory (a part of its path is a file)'],
    ];
    const results = await Promise.all(cases.map(([data]) => server(['--data', data, '--listen', '127.0.0.1:0'], {}, 60_000)));
    expect(results.map((r) => [r.status, r.stderr])).toEqual(cases.map(([data, why]) => [2, `patchwise: --data ${data}: ${why}\n`]));
  });

  it('names --listen when the address is taken', async () => {
    const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
    if (!template) throw new Error('the PGlite template is missing: vitest globalSetup did not run');
    const data = join(work, 'taken');
    cpSync(template, join(data, 'pglite'), { recursive: true });
    const { port, holder } = await takenPort();
    try {
      const r = await server(['--data', data, '--listen', `127.0.0.1:${port}`]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n').at(-1)).toBe(
        `patchwise: --listen 127.0.0.1:${port}: the address is already in use: another Patchwise server, or another program, listens there (choose another with --listen HOST:PORT)`,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.close();
    }
  });

  it('names DATABASE_URL, without its password, when PostgreSQL refuses or lacks the database', async () => {
    const { port, holder } = await takenPort();
    holder.close(); // nothing listens there now
    const [missing, refused] = await Promise.all([
      server(['--data', join(work, 'pg1'), '--listen', '127.0.0.1:0'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/pw_no_such_database' }),
      server(['--data', join(work, 'pg2'), '--listen', '127.0.0.1:0'], { DATABASE_URL: `postgres://postgres:s3cret@127.0.0.1:${port}/test` }),
    ]);
    expect(missing.stderr).toBe('patchwise: DATABASE_URL postgres://postgres@127.0.0.1:5432/pw_no_such_database: database "pw_no_such_database" does not exist (create it first, e.g. createdb)\n');
    expect(refused.stderr).toBe(`patchwise: DATABASE_URL postgres://postgres:***@127.0.0.1:${port}/test: cannot connect to PostgreSQL (connection refused): is it running, on that host and port?\n`);
    expect([missing.status, refused.status]).toEqual([2, 2]);
  });
});
