/**
 * The packaged agent end to end: `npm run package:agent` builds `patchwise-agent` (one executable
 * with Node.js inside), its Debian package and its RPM package. dpkg installs the .deb on a real
 * Debian bookworm (a debootstrap minbase clone, which has no Node.js); the installed agent enrolls
 * with a real server and its inventory is the chroot's dpkg database; a second run needs no token.
 * The .rpm is read with rpm's own queries, installed with rpm into an empty root (no dependency
 * to resolve) and with dnf on a test host whose rpm database is the system's
 * (support/local-rpm-repository.ts: Debian's dnf and rpm, since this machine reaches no RPM
 * distribution's repositories), where the installed agent enrolls and reports its rpm packages.
 *
 * Needs root and debootstrap; the RPM part also overlayfs, rpm (rpmbuild) and createrepo-c (CI
 * fails without them; elsewhere the suites are skipped).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneChroot, type ChrootClone } from './support/chroot-clone.js';
import { installedPackages } from './support/chroot-dpkg.js';
import { startE2eServer, type E2eServer } from './support/e2e-server.js';
import { exec } from './support/exec-file.js';
import { ensureMinbaseChroot } from './support/minbase-chroot.js';
import { cloneHost, type HostClone } from './support/host-clone.js';
import { localRpmRepository, type LocalRpmRepository } from './support/local-rpm-repository.js';
import { missingChrootPrerequisites, missingRpmHostPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SUITE = 'the packaged agent end-to-end test';
const skip = skipUnlessAvailable(SUITE, await missingChrootPrerequisites());
// The RPM part's dnf host is an overlay clone of a Debian layer with dnf (the RPM drivers' test hosts).
const skipRpm = skip || skipUnlessAvailable(`${SUITE} (its .rpm)`, await missingRpmHostPrerequisites());
const version = (JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;

describe.skipIf(skip)('the packaged agent (patchwise-agent, its .deb and its .rpm)', () => {
  let out: string;
  let deb: string;
  let rpm: string;
  let rpmArch: string;
  let host: ChrootClone;
  let server: E2eServer;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'patchwise-agent-package-'));
    const built = await exec(process.execPath, ['--import', 'tsx', 'scripts/package-agent.ts', '--out', out], { cwd: ROOT, timeoutMs: 10 * 60_000 });
    const arch = (await exec('dpkg', ['--print-architecture'])).stdout.trim();
    deb = join(out, `patchwise-agent_${version}_${arch}.deb`);
    expect(built.stdout).toContain(deb);
    if (!skipRpm) {
      rpmArch = (await exec('rpm', ['--eval', '%{_arch}'])).stdout.trim();
      rpm = join(out, `patchwise-agent-${version}-1.${rpmArch}.rpm`);
      expect(built.stdout).toContain(rpm);
    }
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
    expect(contents).toMatch(/^-rw-r--r-- root\/root .* \.\/usr\/lib\/systemd\/system\/patchwise-agent\.service$/m);
    expect(contents).not.toMatch(/ \.\/lib\//m); // nothing under an aliased directory of merged /usr
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
    // Debian's place for a unit's options, filled into the one unit template.
    // Under /usr/lib, never the aliased /lib (dpkg would lose track of it on a later move), and known to dpkg there.
    expect(readFileSync(join(host.root, 'usr/lib/systemd/system/patchwise-agent.service'), 'utf8')).toMatch(/^EnvironmentFile=-\/etc\/default\/patchwise-agent$/m);
    expect((await exec('chroot', [host.root, 'dpkg', '-S', '/usr/lib/systemd/system/patchwise-agent.service'])).stdout).toMatch(/^patchwise-agent: /);
    const token = await server.api<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: 1 });
    expect(token.status).toBe(201);

    // The chroot shares this machine's host name (its UTS namespace): the clone's is given.
    const first = await exec('chroot', [host.root, 'patchwise-agent', 'run', '--once', '--server', server.url, '--enroll-token', token.body.token, '--hostname', host.hostname], { timeoutMs: 120_000 });
    expect(first.stderr).toMatch(/patchwise-agent: enrolled as host /);

    const list = await server.api<{ hosts: { id: string }[] }>('GET', `/api/v1/hosts?name=${host.hostname}`);
    expect(list.body.hosts).toHaveLength(1);
    const detail = await server.api<{ machineId: string | null; os: { id: string; versionId: string | null } | null; packages: number }>('GET', `/api/v1/hosts/${list.body.hosts[0]?.id}`);
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

  describe.skipIf(skipRpm)('its .rpm', () => {
    let repo: LocalRpmRepository;
    let dnfHost: HostClone | undefined;
    let emptyRoot: string | undefined;

    afterAll(async () => {
      await dnfHost?.dispose();
      await repo?.dispose();
      if (emptyRoot) rmSync(emptyRoot, { recursive: true, force: true });
    });

    const query = async (...args: string[]) => (await exec('rpm', ['-qp', ...args, rpm])).stdout;

    it('is named and versioned as rpm reads it, with the binary, the unit and its options as a noreplace config file, owned by root', async () => {
      expect(await query('--qf', '%{NAME} %{VERSION} %{RELEASE} %{ARCH}')).toBe(`patchwise-agent ${version} 1 ${rpmArch}`);
      expect((await query('--list')).split('\n').filter(Boolean)).toEqual([
        '/etc/sysconfig/patchwise-agent',
        '/usr/bin/patchwise-agent',
        '/usr/lib/systemd/system/patchwise-agent.service',
      ]);
      expect(await query('--configfiles')).toBe('/etc/sysconfig/patchwise-agent\n');
      // Per file: path, mode, owner, group and flags (c: config, n: noreplace, so upgrades keep edits).
      expect(await query('--qf', '[%{FILENAMES} %{FILEMODES:octal} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags}\n]')).toBe(
        [
          '/etc/sysconfig/patchwise-agent 100644 root root cn',
          '/usr/bin/patchwise-agent 100755 root root ',
          '/usr/lib/systemd/system/patchwise-agent.service 100644 root root ',
          '',
        ].join('\n'),
      );
      // The packed binary is the built one byte for byte: no strip or debuginfo step touched it.
      const dumped = (await query('--dump')).split('\n').find((line) => line.startsWith('/usr/bin/patchwise-agent '));
      expect(dumped?.split(' ')[3]).toBe(sha256(join(out, 'patchwise-agent')));
      // No scriptlets: installing starts nothing before the host is enrolled.
      expect(await query('--scripts')).toBe('');
      // No generated dependencies: only the rpm features the package format itself needs.
      const requires = (await query('--requires')).split('\n').filter(Boolean);
      expect(requires.length).toBeGreaterThan(0);
      expect(requires.filter((line) => !line.startsWith('rpmlib('))).toEqual([]);
    });

    it('installs with rpm into an empty root, needing nothing there, and the installed binary runs', async () => {
      emptyRoot = mkdtempSync(join(tmpdir(), 'patchwise-rpm-root-'));
      // Without --nodeps: an empty database provides nothing, so any Requires but rpm's own would fail.
      await exec('rpm', ['--root', emptyRoot, '--dbpath', '/var/lib/rpm', '--install', rpm], { timeoutMs: 120_000 });
      const installed = join(emptyRoot, 'usr/bin/patchwise-agent');
      expect(statSync(installed)).toMatchObject({ mode: 0o100755, uid: 0, gid: 0 });
      expect(sha256(installed)).toBe(sha256(join(out, 'patchwise-agent')));
      expect((await exec(installed, ['--version'])).stdout.trim()).toBe(version);
      // The RPM distributions' place for a unit's options, filled into the one unit template.
      expect(readFileSync(join(emptyRoot, 'usr/lib/systemd/system/patchwise-agent.service'), 'utf8')).toMatch(/^EnvironmentFile=-\/etc\/sysconfig\/patchwise-agent$/m);
      expect(readFileSync(join(emptyRoot, 'etc/sysconfig/patchwise-agent'), 'utf8')).toMatch(/^PATCHWISE_AGENT_OPTIONS=""$/m);
    });

    it('installs with dnf on a host whose rpm database is the system\'s, enrolls, and reports its rpm packages', async () => {
      repo = await localRpmRepository();
      dnfHost = await cloneHost('rpm-packaged', { layers: await repo.layers('dnf') });
      const root = dnfHost.root;
      copyFileSync(rpm, join(root, 'tmp', 'patchwise-agent.rpm'));
      await exec('chroot', [root, 'dnf', 'install', '-y', '/tmp/patchwise-agent.rpm'], { timeoutMs: 300_000 });
      expect((await exec('chroot', [root, 'rpm', '-q', '--qf', '%{NEVRA}', 'patchwise-agent'])).stdout).toBe(`patchwise-agent-${version}-1.${rpmArch}`);
      expect((await exec('chroot', [root, 'patchwise-agent', '--version'])).stdout.trim()).toBe(version);

      const token = await server.api<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: 1 });
      expect(token.status).toBe(201);
      const first = await exec('chroot', [root, 'patchwise-agent', 'run', '--once', '--server', server.url, '--enroll-token', token.body.token, '--hostname', dnfHost.name], { timeoutMs: 120_000 });
      expect(first.stderr).toMatch(/patchwise-agent: enrolled as host /);
      const list = await server.api<{ hosts: { id: string }[] }>('GET', `/api/v1/hosts?name=${dnfHost.name}`);
      expect(list.body.hosts).toHaveLength(1);
      const detail = await server.api<{ packages: number }>('GET', `/api/v1/hosts/${list.body.hosts[0]?.id}`);
      // The host's two databases, as their own tools list them: rpm's now holds the agent too.
      const rpmPackages = (await exec('chroot', [root, 'rpm', '-qa', '--qf', '%{NAME}\n'])).stdout.split('\n').filter(Boolean);
      expect(rpmPackages).toContain('patchwise-agent');
      expect(detail.body.packages).toBe((await installedPackages(root)).length + rpmPackages.length);
    }, 10 * 60_000);
  });
});

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
