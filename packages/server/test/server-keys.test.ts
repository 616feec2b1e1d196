/**
 * A server signs with the keys its database was first served with: a start whose data directory
 * lacks them, or holds others, is refused naming the file, before it makes keys agents would
 * refuse. Real servers: PGlite restarted on its own directory, two processes on one PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServerConfig, startServer, type RunningServer } from '../src/index.js';
import { POSTGRES_URL, postgresAvailable } from './support/test-database.js';

const hasPostgres = await postgresAvailable();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'patchwise-keys-'));
  dirs.push(dir);
  return dir;
}

const start = (data: string, env: Record<string, string> = {}) => startServer(parseServerConfig({ data, listen: '127.0.0.1:0', env }));

describe('the signing keys a database was first served with', () => {
  it('PGlite: a lost job-signing key stops the start instead of being replaced', async () => {
    const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
    if (!template) throw new Error('the PGlite template is missing: vitest globalSetup did not run');
    const data = dataDir();
    cpSync(template, join(data, 'pglite'), { recursive: true });
    await (await start(data)).close();
    const kept = join(dataDir(), 'kept-key');
    copyFileSync(join(data, 'job-signing-key'), kept);
    rmSync(join(data, 'job-signing-key'));
    await expect(start(data)).rejects.toThrow(/this database was first served with a job-signing key \(public key [\w-]+\) that is not in .*job-signing-key: copy that file from the server that made it/);
    copyFileSync(kept, join(data, 'job-signing-key'));
    await (await start(data)).close();
  });

  it('PGlite: the admin token a start makes is in the audit trail, once, and again when its file held no valid token', async () => {
    const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
    if (!template) throw new Error('the PGlite template is missing: vitest globalSetup did not run');
    const data = dataDir();
    cpSync(template, join(data, 'pglite'), { recursive: true });
    const tokenCreations = async (s: RunningServer) => {
      const token = readFileSync(s.adminTokenPath, 'utf8').trim();
      const res = await s.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: { authorization: `Bearer ${token}` } });
      return res.json<{ events: { action: string; actor: { kind: string; id: string }; details: { user: string; reason: string } }[] }>().events.filter((e) => e.action === 'token.create');
    };
    const first = await start(data);
    expect(first.adminTokenCreated).toBe(true);
    expect(await tokenCreations(first)).toMatchObject([{ actor: { kind: 'system', id: 'server' }, details: { user: 'admin', reason: 'first start' } }]);
    await first.close();
    const again = await start(data);
    expect(again.adminTokenCreated).toBe(false);
    expect(await tokenCreations(again)).toHaveLength(1);
    await again.close();
    writeFileSync(join(data, 'admin-token'), 'pwt_not_a_token\n', { mode: 0o600 });
    const replaced = await start(data);
    expect(replaced.adminTokenCreated).toBe(true);
    expect((await tokenCreations(replaced)).map((e) => e.details.reason)).toEqual(['first start', 'admin-token held no valid token']);
    await replaced.close();
  });

  describe.runIf(hasPostgres)('two servers on one PostgreSQL', () => {
    const schema = `pw_keys_${randomBytes(6).toString('hex')}`;
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const env = { DATABASE_URL: url.toString() };
    afterAll(async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    });

    it('refuses a second data directory without the first one\'s keys, or with others, and starts with copies', async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`create schema ${schema}`);
      await c.end();
      const first = dataDir();
      const one = await start(first, env);
      try {
        const second = dataDir();
        await expect(start(second, env)).rejects.toThrow(/first served with a (job|audit)-signing key .* that is not in /);
        // Keys of its own (another server's data directory): refused by public key.
        const other = dataDir();
        cpSync(process.env.PATCHWISE_TEST_PGLITE_TEMPLATE ?? '', join(other, 'pglite'), { recursive: true });
        await (await start(other)).close(); // on its own PGlite: makes its own keys
        copyFileSync(join(other, 'job-signing-key'), join(second, 'job-signing-key'));
        copyFileSync(join(first, 'audit-signing-key'), join(second, 'audit-signing-key'));
        await expect(start(second, env)).rejects.toThrow(/job-signing-key: holds another job-signing key \(public key [\w-]+\) than this database was first served with/);
        copyFileSync(join(first, 'job-signing-key'), join(second, 'job-signing-key'));
        const two = await start(second, env);
        await two.close();
      } finally {
        await one.close();
      }
    });
  });
});
