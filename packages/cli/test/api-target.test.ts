/** Which server and token the CLI uses; the local admin token never leaves for another server. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveApiTarget } from '../src/api-client.js';

const data = mkdtempSync(join(tmpdir(), 'pw-api-target-'));
afterAll(() => rmSync(data, { recursive: true, force: true }));
writeFileSync(join(data, 'server.json'), JSON.stringify({ url: 'http://127.0.0.1:8080' }));
writeFileSync(join(data, 'admin-token'), 'pwt_local\n', { mode: 0o600 });

describe('resolveApiTarget', () => {
  it('uses the local server and its admin token when nothing is set', () => {
    expect(resolveApiTarget({}, data)).toEqual({ url: 'http://127.0.0.1:8080', token: 'pwt_local' });
  });

  it('sends the local admin token to PATCHWISE_URL only when it is that same server', () => {
    expect(resolveApiTarget({ PATCHWISE_URL: 'http://127.0.0.1:8080/' }, data)).toEqual({ url: 'http://127.0.0.1:8080/', token: 'pwt_local' });
    for (const other of ['http://127.0.0.1:18083', 'http://attacker.example:8080', 'https://127.0.0.1:8080']) {
      expect(() => resolveApiTarget({ PATCHWISE_URL: other }, data)).toThrow(`PATCHWISE_URL (${other}) is not the server whose admin token is in ${join(data, 'admin-token')} (http://127.0.0.1:8080): set PATCHWISE_TOKEN`);
    }
  });

  it('takes PATCHWISE_TOKEN for any server', () => {
    expect(resolveApiTarget({ PATCHWISE_URL: 'http://10.0.0.9:8080', PATCHWISE_TOKEN: 'pwt_remote' }, data)).toEqual({ url: 'http://10.0.0.9:8080', token: 'pwt_remote' });
  });

  it('refuses a token file without the server that wrote it', () => {
    const bare = mkdtempSync(join(tmpdir(), 'pw-api-target-'));
    writeFileSync(join(bare, 'admin-token'), 'pwt_orphan\n');
    expect(() => resolveApiTarget({ PATCHWISE_URL: 'http://127.0.0.1:8080' }, bare)).toThrow('set PATCHWISE_TOKEN');
    expect(() => resolveApiTarget({}, bare)).toThrow('no server: set PATCHWISE_URL');
    rmSync(bare, { recursive: true, force: true });
  });
});
