/**
 * The real agent (runAgent, its HTTP calls routed into the in-process app) keeps checking in when
 * its inventory cannot be sent whole: the facts and "last seen" reach the server, the problem is
 * logged, and what can be sent safely (Python packages of a distribution without an OSV
 * ecosystem) is sent.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAgent } from '@patchwise/agent';
import { admin, eachTestApp, type TestApp } from './support/test-app.js';

const work = mkdtempSync(join(tmpdir(), 'patchwise-checkin-problems-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

describe('agent check-in when the inventory cannot be sent whole', () => {
  let t: TestApp;
  eachTestApp('pglite', (app) => {
    t = app;
  });

  function injectFetch(): typeof fetch {
    return (async (input: URL | string, init?: RequestInit) => {
      const url = new URL(String(input));
      const res = await t.app.inject({ method: init?.method as 'POST', url: url.pathname + url.search, headers: init?.headers as Record<string, string>, payload: init?.body as string });
      return new Response(res.body, { status: res.statusCode });
    }) as typeof fetch;
  }

  async function host(id: string) {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${id}`, headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ lastSeenAt: string; inventoryAt: string | null; packages: number; facts: { os: { id: string } | null } }>();
  }

  it('checks in with its facts, logs the problem, and sends only what cannot close findings wrongly', async () => {
    const root = join(work, 'root');
    const stateDir = join(work, 'state');
    write(root, {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      'etc/hostname': 'web-07\n',
      'etc/machine-id': `${'7'.repeat(32)}\n`,
      'var/lib/dpkg/status': 'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n',
      'usr/local/lib/python3.11/dist-packages/requests-2.31.0.dist-info/METADATA': 'Name: requests\nVersion: 2.31.0\n',
    });
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    const log: string[] = [];
    const run = (enroll: boolean) =>
      runAgent({
        ...(enroll ? { serverUrl: 'http://patchwise.test', enrollToken: token } : {}),
        stateDir,
        root,
        once: true,
        jobs: false,
        agentVersion: 'test',
        log: (line) => log.push(line),
        clock: t.clock.read,
        fetch: injectFetch(),
      });
    expect(await run(true), log.join('\n')).toBe(0);
    const hostId = JSON.parse(readFileSync(join(stateDir, 'identity.json'), 'utf8')).hostId as string;
    expect((await host(hostId)).packages).toBe(2);

    // CentOS Stream: no OSV ecosystem, so its rpm/dpkg packages cannot be placed; Python can.
    t.clock.advance(3_600_000);
    write(root, { 'etc/os-release': 'ID="centos"\nVERSION_ID="9"\n' });
    log.length = 0;
    expect(await run(false), log.join('\n')).toBe(0);
    let seen = await host(hostId);
    expect(seen.lastSeenAt).toBe(t.clock.read().toISOString());
    expect(seen.facts.os?.id).toBe('centos');
    expect(seen.packages).toBe(1);
    expect(log).toContainEqual(expect.stringMatching(/^inventory problem: 1 distribution packages not sent \(centos 9: no OSV ecosystem for distribution "centos".*\); 1 packages that name their own ecosystem \(PyPI\) sent$/));

    // Debian sid has no VERSION_ID: the same, and the unchanged Python-only inventory is not resent.
    t.clock.advance(3_600_000);
    write(root, { 'etc/os-release': 'ID=debian\nVERSION_CODENAME=sid\n' });
    log.length = 0;
    expect(await run(false), log.join('\n')).toBe(0);
    seen = await host(hostId);
    expect(seen.lastSeenAt).toBe(t.clock.read().toISOString());
    expect(log).toContainEqual(expect.stringContaining('inventory problem: 1 distribution packages not sent (debian: distribution "debian" has no version (VERSION_ID)'));
    expect(log).toContainEqual(expect.stringContaining('inventory unchanged'));

    // A package database refused: the check-in still goes out, the stored inventory stays.
    t.clock.advance(3_600_000);
    write(root, { 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'var/lib/dpkg/status': '' });
    log.length = 0;
    expect(await run(false), log.join('\n')).toBe(0);
    seen = await host(hostId);
    expect(seen.lastSeenAt).toBe(t.clock.read().toISOString());
    expect(seen.packages).toBe(1);
    expect(log).toContain(
      `inventory problem: packages not collected, no inventory sent: ${join(root, 'var/lib/dpkg/status')}: the package database exists but lists no installed packages; refusing to report the host as having none`,
    );
    expect(log).toContain('check-in ok: web-07, no inventory to send (see the inventory problem above)');
  });
});
