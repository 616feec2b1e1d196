/**
 * The packaged agent end to end: `npm run package:agent` builds `patchwise-agent` (one executable
 * with Node.js inside) and its Debian package; dpkg installs the package on a real Debian bookworm
 * (a debootstrap minbase clone, which has no Node.js); the installed agent enrolls with a real
 * server and its inventory is the chroot's dpkg database; a second run needs no token.
 *
 * Needs root and debootstrap (CI fails without them; elsewhere the suite is skipped).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneChroot, type ChrootClone } from './support/chroot-clone.js';
import { installedPackages } from './support/chroot-dpkg.js';
import { startE2eServer, type E2eServer } from './support/e2e-server.js';
import { exec } from './support/exec-file.js';
import { ensureMinbaseChroot } from './support/minbase-chroot.js';
import { missingChrootPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SUITE = 'the packaged agent end-to-end test';
const skip = skipUnlessAvailable(SUITE, await missingChrootPrerequisites());
const version = (JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;

describe.skipIf(skip)('the packaged agent (patchwise-agent and its .deb)', () => {
  let out: string;
  let deb: string;
  let host: ChrootClone;
  let server: E2eServer;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'patchwise-agent-package-'));
    const built = await exec(process.execPath, ['--import', 'tsx', 'scripts/package-agent.ts', '--out', out], { cwd: ROOT, timeoutMs: 10 * 60_000 });
    const arch = (await exec('dpkg', ['--print-architecture'])).stdout.trim();
    deb = join(out, `patchwise-agent_${version}_${arch}.deb`);
    expect(built.stdout).toContain(deb);
    const chroot = await ensureMinbaseChroot({ log: (line) => console.log(`[chroot] ${line}`) });
    host = await cloneChroot(chroot.rootfs, { hostname: 'deb12-packaged' });
    server = await startE2eServer('pglite');
  }, 20 * 60_000);

  afterAll(async () => {
    await server?.close();
    await host?.dispose();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('is one executable that prints its version and refuses bad usage with exit 2', async () => {
    expect((await exec(join(out, 'patchwise-agent'), ['--version'])).stdout.trim()).toBe(version);
    const bad = await exec(join(out, 'patchwise-agent'), ['run', '--root', '/no/such/dir']).catch((err: unknown) => err as { exitCode: number; stderr: string });
    expect(bad).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('patchwise-agent: --root /no/such/dir: no such directory') });
  });

  it('is a Debian package with the binary, a systemd unit not enabled, and its options as a conffile', async () => {
    const field = async (name: string) => (await exec('dpkg-deb', ['--field', deb, name])).stdout.trim();
    expect(await field('Package')).toBe('patchwise-agent');
    expect(await field('Version')).toBe(version);
    expect(await field('Depends')).toBe(''); // Node.js is inside
    const contents = (await exec('dpkg-deb', ['--contents', deb])).stdout;
    expect(contents).toMatch(/^-rwxr-xr-x root\/root .* \.\/usr\/bin\/patchwise-agent$/m);
    expect(contents).toMatch(/^-rw-r--r-- root\/root .* \.\/lib\/systemd\/system\/patchwise-agent\.service$/m);
    expect(contents).toMatch(/\.\/etc\/default\/patchwise-agent$/m);
    const control = mkdtempSync(join(tmpdir(), 'patchwise-deb-control-'));
    try {
      await exec('dpkg-deb', ['--control', deb, control]);
      expect(readFileSync(join(control, 'conffiles'), 'utf8')).toBe('/etc/default/patchwise-agent\n');
      // No maintainer scripts: installing starts nothing before the host is enrolled.
      expect(['postinst', 'preinst', 'prerm', 'postrm'].filter((s) => existsSync(join(control, s)))).toEqual([]);
    } finally {
      rmSync(control, { recursive: true, force: true });
    }
  });

  it('installs with dpkg on a Debian host without Node.js, enrolls, and reports that host\'s packages', async () => {
    expect(['usr/bin/node', 'usr/bin/nodejs', 'usr/local/bin/node'].filter((p) => existsSync(join(host.root, p)))).toEqual([]);
    copyFileSync(deb, join(host.root, 'tmp/patchwise-agent.deb'));
    await exec('chroot', [host.root, 'dpkg', '-i', '/tmp/patchwise-agent.deb']);
    const token = await server.api<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: 1 });
    expect(token.status).toBe(201);

    // The chroot shares this machine's host name (its UTS namespace): the clone's is given.
    const first = await exec('chroot', [host.root, 'patchwise-agent', 'run', '--once', '--server', server.url, '--enroll-token', token.body.token, '--hostname', host.hostname], { timeoutMs: 120_000 });
    expect(first.stderr).toMatch(/patchwise-agent: enrolled as host /);

    const list = await server.api<{ hosts: { id: string }[] }>('GET', `/api/v1/hosts?name=${host.hostname}`);
    expect(list.body.hosts).toHaveLength(1);
    const detail = await server.api<{ machineId: string | null; os: { id: string; versionId: string | null } | null; packages: number; agentVersion?: string | null }>('GET', `/api/v1/hosts/${list.body.hosts[0]?.id}`);
    expect(detail.body.machineId).toBe(host.machineId);
    expect(detail.body.os).toMatchObject({ id: 'debian', versionId: '12' });
    // dpkg's own list, read after the install: the agent's package is one of them.
    const packages = await installedPackages(host.root);
    expect(packages).toContain('patchwise-agent');
    expect(detail.body.packages).toBe(packages.length);

    // Enrolled: the identity and the server's address are in the state directory.
    const second = await exec('chroot', [host.root, 'patchwise-agent', 'run', '--once', '--hostname', host.hostname], { timeoutMs: 120_000 });
    expect(second.stderr).toMatch(/patchwise-agent: check-in ok: deb12-packaged/);
    expect(second.stderr).not.toMatch(/enrolled/);
  }, 5 * 60_000);
});
