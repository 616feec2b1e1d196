/**
 * The real agent (runAgent, its HTTP calls routed into the in-process app) keeps checking in when
 * its inventory cannot be sent whole or a fact cannot be read: the facts it has and "last seen"
 * reach the server, the problem is logged, and what can be sent safely (Python packages of a
 * distribution without an OSV ecosystem) is sent, never what would close findings wrongly.
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
    return res.json<{ name: string; lastSeenAt: string; inventoryAt: string | null; packages: number; machineId: string | null; os: { id: string; versionId: string | null } | null; ecosystem: string | null; facts: { os: { id: string } | null; machineId: string | null; timezone: string | null } }>();
  }

  async function enrolledAgent(name: string, files: Record<string, string>) {
    const root = join(work, `${name}-root`);
    const stateDir = join(work, `${name}-state`);
    write(root, files);
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
    return { root, log, hostId, run: () => run(false) };
  }

  it('checks in with the facts it can read, and keeps the stored inventory when it cannot tell the distribution', async () => {
    const a = await enrolledAgent('web-08', {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
      'etc/hostname': 'web-08\n',
      'etc/machine-id': `${'8'.repeat(32)}\n`,
      'etc/timezone': 'Europe/Berlin\n',
      'var/lib/dpkg/status': 'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n',
      'usr/local/lib/python3.11/dist-packages/requests-2.31.0.dist-info/METADATA': 'Name: requests\nVersion: 2.31.0\n',
    });
    const stored = await host(a.hostId);
    expect(stored.packages).toBe(2);
    // No advisory is held here: the agent says its packages were not assessed, rather than look clean.
    expect(a.log).toContain('warning: the server holds no advisories for Debian:12, PyPI: those packages were not assessed (import or sync that feed on the server)');

    // os-release lost VERSION_ID: this is no longer a Debian 12 the agent can name, but not a
    // distribution without an OSV ecosystem either; a Python-only upload would close every
    // Debian finding as fixed. The check-in goes out without a digest, nothing is uploaded.
    t.clock.advance(3_600_000);
    write(a.root, { 'etc/os-release': 'ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' });
    a.log.length = 0;
    expect(await a.run(), a.log.join('\n')).toBe(0);
    let seen = await host(a.hostId);
    expect(seen.lastSeenAt).toBe(t.clock.read().toISOString());
    expect(seen.packages).toBe(2);
    expect(seen.inventoryAt).toBe(stored.inventoryAt);
    expect(a.log).toContainEqual(expect.stringMatching(/^inventory error: cannot tell the distribution \(its packages were last reported as debian 12, os-release now gives VERSION_ID none\): 1 distribution package cannot be placed \(.*\); no inventory sent, the stored one stays$/));
    expect(a.log).toContain('check-in ok: web-08, no inventory to send (see the inventory error above)');

    // os-release, machine-id and timezone unreadable (directories where files should be, which
    // even root cannot read as files): those facts are null, the rest still reach the server.
    t.clock.advance(3_600_000);
    for (const rel of ['etc/os-release', 'etc/machine-id', 'etc/timezone']) {
      rmSync(join(a.root, rel));
      mkdirSync(join(a.root, rel));
    }
    a.log.length = 0;
    expect(await a.run(), a.log.join('\n')).toBe(0);
    const known = seen;
    seen = await host(a.hostId);
    expect(seen.lastSeenAt).toBe(t.clock.read().toISOString());
    expect(seen).toMatchObject({ name: 'web-08', packages: 2, inventoryAt: stored.inventoryAt, facts: { os: null, machineId: null, timezone: null } });
    // Unknown this time is not "none": the host keeps its machine id (clone detection) and OS.
    expect(known).toMatchObject({ machineId: '8'.repeat(32), os: { id: 'debian' } });
    expect(seen).toMatchObject({ machineId: known.machineId, os: known.os, ecosystem: known.ecosystem });
    for (const [fact, rel] of [['os', 'etc/os-release'], ['machineId', 'etc/machine-id'], ['timezone', 'etc/timezone']]) {
      expect(a.log).toContain(`warning: fact ${fact} could not be read, reported as unknown: ${join(a.root, rel as string)}: not a regular file`);
    }
    expect(a.log).toContainEqual(expect.stringMatching(/^inventory error: cannot tell the distribution \(no os-release could be read\)/));

    // Readable again: the same inventory as stored, so nothing is resent.
    t.clock.advance(3_600_000);
    for (const rel of ['etc/os-release', 'etc/machine-id', 'etc/timezone']) rmSync(join(a.root, rel), { recursive: true });
    write(a.root, { 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'etc/machine-id': `${'8'.repeat(32)}\n`, 'etc/timezone': 'Europe/Berlin\n' });
    a.log.length = 0;
    expect(await a.run(), a.log.join('\n')).toBe(0);
    expect(a.log).toContain('check-in ok: web-08, 2 packages, inventory unchanged');
    expect(await host(a.hostId)).toMatchObject({ packages: 2, facts: { os: { id: 'debian' }, machineId: '8'.repeat(32), timezone: 'Europe/Berlin' } });
  });

  it('checks in with its facts, logs the problem, and sends only what cannot close findings wrongly', async () => {
    const a = await enrolledAgent('web-07', {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      'etc/hostname': 'web-07\n',
      'etc/machine-id': `${'7'.repeat(32)}\n`,
      'var/lib/dpkg/status': 'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n',
      'usr/local/lib/python3.11/dist-packages/requests-2.31.0.dist-info/METADATA': 'Name: requests\nVersion: 2.31.0\n',
    });
    const { root, log, hostId } = a;
    expect((await host(hostId)).packages).toBe(2);

    // CentOS Stream: no OSV ecosystem, so its rpm/dpkg packages cannot be placed; Python can.
    t.clock.advance(3_600_000);
    write(root, { 'etc/os-release': 'ID="centos"\nVERSION_ID="9"\n' });
    log.length = 0;
    expect(await a.run(), log.join('\n')).toBe(0);
    let seen = await host(hostId);
    expect(seen.lastSeenAt).toBe(t.clock.read().toISOString());
    expect(seen.facts.os?.id).toBe('centos');
    expect(seen.packages).toBe(1);
    expect(log).toContainEqual(expect.stringMatching(/^inventory problem: 1 distribution package not sent \(centos 9: no OSV ecosystem for distribution "centos".*\); 1 package that names its own ecosystem \(PyPI\) sent$/));

    // Debian sid has no VERSION_ID: the same, and the unchanged Python-only inventory is not resent.
    t.clock.advance(3_600_000);
    write(root, { 'etc/os-release': 'ID=debian\nVERSION_CODENAME=sid\n' });
    log.length = 0;
    expect(await a.run(), log.join('\n')).toBe(0);
    seen = await host(hostId);
    expect(seen.lastSeenAt).toBe(t.clock.read().toISOString());
    expect(log).toContainEqual(expect.stringContaining('inventory problem: 1 distribution package not sent (debian: distribution "debian" has no version (VERSION_ID)'));
    expect(log).toContainEqual(expect.stringContaining('inventory unchanged'));

    // A package database refused: the check-in still goes out, the stored inventory stays.
    t.clock.advance(3_600_000);
    write(root, { 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'var/lib/dpkg/status': '' });
    log.length = 0;
    expect(await a.run(), log.join('\n')).toBe(0);
    seen = await host(hostId);
    expect(seen.lastSeenAt).toBe(t.clock.read().toISOString());
    expect(seen.packages).toBe(1);
    expect(log).toContain(
      `inventory problem: packages not collected, no inventory sent: ${join(root, 'var/lib/dpkg/status')}: the package database exists but lists no installed packages; refusing to report the host as having none`,
    );
    expect(log).toContain('check-in ok: web-07, no inventory to send (see the inventory problem above)');
  });
});
