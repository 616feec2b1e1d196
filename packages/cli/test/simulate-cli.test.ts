import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig, startServer, type RunningServer } from '@patchwise/server';
import { runCliAsync } from './run-cli.js';

let server: RunningServer;
let dataDir: string;

/** The real binary, asynchronously (the server it talks to runs in this process), told nothing of other servers. */
const patchwise = (args: string[]) => runCliAsync(args, { ...process.env, PATCHWISE_URL: undefined, PATCHWISE_TOKEN: undefined });

beforeAll(async () => {
  const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
  if (!template) throw new Error('the PGlite template is missing: vitest globalSetup did not run');
  dataDir = mkdtempSync(join(tmpdir(), 'patchwise-simulate-cli-'));
  cpSync(template, join(dataDir, 'pglite'), { recursive: true });
  server = await startServer(parseServerConfig({ data: dataDir, listen: '127.0.0.1:0', env: {} }));
});

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('patchwise simulate', () => {
  it('makes its own enrollment secret with the admin token, and reports every phase as JSON', async () => {
    const r = await patchwise(['simulate', '--data', dataDir, '--agents', '3', '--packages', '40', '--duration', '0s', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { enrolled: number; serverUrl: string; phases: { name: string; operations: Record<string, { count: number }> }[] };
    expect(report.enrolled).toBe(3);
    expect(report.serverUrl).toBe(server.url);
    expect(report.phases.map((p) => [p.name, p.operations.enroll?.count, p.operations.inventory?.count])).toEqual([
      ['enroll', 3, 0],
      ['first-inventory', 0, 3],
      ['steady', 0, 0],
    ]);
  });

  it('refuses a server that is not on 127.0.0.1, with exit status 2', async () => {
    const r = await patchwise(['simulate', '--server', 'http://192.0.2.1:8080', '--enroll-token', 'x', '--agents', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('127.0.0.1');
  });

  it('names a feed it cannot read, with exit status 2 and no stack trace', async () => {
    const r = await patchwise(['simulate', '--server', server.url, '--enroll-token', 'x', '--agents', '1', '--feed', '/nonexistent/alma.tar.gz']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^patchwise: \/nonexistent\/alma\.tar\.gz: .*no such file/m);
    expect(r.stderr).toContain('give one with --feed FILE');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
