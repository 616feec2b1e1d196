/**
 * What the CLI says when a request names something that is not there or that the server's
 * schema refuses, against a real server in this process (PGlite from the test template).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig, startServer, type RunningServer } from '@patchwise/server';
import { ApiClient } from '../src/api-client.js';
import { BIN, REPO, runCliAsync } from './run-cli.js';

let server: RunningServer;
let dataDir: string;

const patchwise = (args: string[]) => runCliAsync([...args, '--data', dataDir], { ...process.env, PATCHWISE_URL: undefined, PATCHWISE_TOKEN: undefined });

beforeAll(async () => {
  const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
  if (!template) throw new Error('the PGlite template is missing: vitest globalSetup did not run');
  dataDir = mkdtempSync(join(tmpdir(), 'patchwise-cli-errors-'));
  cpSync(template, join(dataDir, 'pglite'), { recursive: true });
  server = await startServer(parseServerConfig({ data: dataDir, listen: '127.0.0.1:0', env: {} }));
});

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a --host that names no host', () => {
  it('is an error as for hosts show (exit 2), not an empty list', async () => {
    const [show, findings, patchSet] = await Promise.all([
      patchwise(['hosts', 'show', 'nosuchhost']),
      patchwise(['findings', 'list', '--host', 'nosuchhost']),
      patchwise(['patch-sets', 'create', 'fixes', '--host', 'nosuchhost']),
    ]);
    expect([show.status, show.stderr]).toEqual([2, 'patchwise: no host named nosuchhost\n']);
    expect([findings.status, findings.stdout, findings.stderr]).toEqual([2, '', 'patchwise: no host named nosuchhost\n']);
    expect([patchSet.status, patchSet.stderr]).toEqual([2, 'patchwise: no host named nosuchhost\n']);
  });
});

describe('feeds import', () => {
  it('of a path that does not exist is bad usage (exit 2), and imports nothing', async () => {
    const r = await patchwise(['feeds', 'import', '/nonexistent']);
    expect([r.status, r.stdout, r.stderr]).toEqual([2, '', 'patchwise: no such file or directory: /nonexistent\n']);
  });
});

describe('an empty file', () => {
  it('is said to be empty, by its path, for feeds import and cmdb import', async () => {
    const empty = join(dataDir, 'empty.json');
    writeFileSync(empty, '');
    const [feeds, cmdb] = await Promise.all([patchwise(['feeds', 'import', empty]), patchwise(['cmdb', 'import', empty])]);
    expect(feeds.status).toBe(1);
    expect(feeds.stderr.split('\n')[0]).toBe(`patchwise: ${empty}: the file is empty`);
    expect([cmdb.status, cmdb.stderr]).toEqual([2, `patchwise: ${empty}: the file is empty\n`]);
  });
});

describe("the server's schema errors", () => {
  it('are said once per field, not once per alternative of the schema', async () => {
    const api = new ApiClient({ url: server.url, token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim() });
    await expect(api.get('/api/v1/findings', { priority: ['P5'] })).rejects.toThrow(/^GET \/api\/v1\/findings: query parameter priority: must be one of P1, P2, P3, P4 \(got "P5"\)$/);
    await expect(api.post('/api/v1/enroll-tokens', { maxUses: 0 })).rejects.toThrow(/^POST \/api\/v1\/enroll-tokens: request field maxUses: must be >= 1$/);
    await expect(api.get('/api/v1/hosts', { sort: 'name' })).rejects.toThrow(/^GET \/api\/v1\/hosts: the query: unknown parameter "sort"$/);
  });
});

describe('a closed stdout', () => {
  it('ends audit export quietly with status 0', async () => {
    // Enough events that the export is still writing when its reader has gone.
    const api = new ApiClient({ url: server.url, token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim() });
    for (let i = 0; i < 20; i++) await api.post('/api/v1/enroll-tokens', { expiresInSeconds: 3600 });
    const child = spawn(process.execPath, [BIN, 'audit', 'export', '--data', dataDir], { cwd: REPO, env: { ...process.env, PATCHWISE_URL: undefined, PATCHWISE_TOKEN: undefined } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.destroy();
    const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});
