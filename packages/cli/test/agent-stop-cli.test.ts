/**
 * `patchwise agent run` as a real process against a server in this process: SIGTERM while it
 * waits for jobs between check-ins stops it at once, with its stopping line, exit 0, and its
 * state directory released.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig, startServer, type RunningServer } from '@patchwise/server';
import { BIN, REPO, runCliAsync } from './run-cli.js';
import { templateWorkDir } from './support/template-work-dir.js';

let server: RunningServer;
let work: string;

beforeAll(async () => {
  ({ work } = templateWorkDir('patchwise-agent-stop-'));
  server = await startServer(parseServerConfig({ data: join(work, 'data'), listen: '127.0.0.1:0', env: {} }));
});

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('patchwise agent run', () => {
  it('stops within two seconds of SIGTERM while it waits between check-ins, saying so, and exits 0', async () => {
    const token = await runCliAsync(['enroll-token', 'create', '--data', join(work, 'data')], { ...process.env, PATCHWISE_URL: undefined, PATCHWISE_TOKEN: undefined });
    expect(token.status, token.stderr).toBe(0);
    const root = join(work, 'root');
    for (const [rel, text] of Object.entries({ 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'etc/hostname': 'stop-1\n', 'etc/machine-id': `${'4'.repeat(32)}\n`, 'var/lib/dpkg/status': '' })) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    const state = join(work, 'state');
    const child = spawn(process.execPath, [BIN, 'agent', 'run', '--server', server.url, '--enroll-token', token.stdout.trim(), '--state', state, '--root', root], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    child.stderr.setEncoding('utf8');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // After its check-in the agent long-polls the server for jobs (up to 30 s): the wait to cut.
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: string) => {
        said += chunk;
        if (said.includes('check-in ok')) resolve();
      });
      void exited.then((code) => reject(new Error(`agent exited ${code}: ${said}`)));
    });
    expect(existsSync(join(state, 'agent.lock'))).toBe(true);
    const asked = Date.now();
    child.kill('SIGTERM');
    expect(await exited, said).toBe(0);
    expect(Date.now() - asked).toBeLessThan(2000);
    const lines = said.trim().split('\n').map((l) => l.replace(/^\S+ patchwise-agent: /, ''));
    expect(lines.slice(-2)).toEqual(['stopping (SIGTERM)', `stopped; ${state} released`]);
    expect(existsSync(join(state, 'agent.lock'))).toBe(false);
  }, 60_000);
});
