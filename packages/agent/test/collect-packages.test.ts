/** collectPackages against fake roots built here, and against this machine's own databases. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { collectPackages } from '@patchwise/agent';
import type { InventoryPackage } from '@patchwise/agent';
import { DPKG_ON_DISK_STATES } from '@patchwise/core';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTree, removeTrees } from './support/fake-root.js';

const run = promisify(execFile);
afterAll(removeTrees);

const DPKG_STATUS = `Package: libssl3
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation.

Package: bash
Status: install ok installed
Architecture: amd64
Source: bash (5.2.15-2)
Version: 5.2.15-2+b2

Package: held-one
Status: hold ok installed
Architecture: all
Version: 1.0-1

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 2.0-1

Package: half
Status: install reinstreq half-installed
Architecture: amd64
Version: 0.1-1
`;

const APK_INSTALLED = `C:Q1abc=
P:libcrypto3
V:3.3.1-r0
A:x86_64
o:openssl
T:Crypto library from openssl

P:musl
V:1.2.5-r0
A:x86_64
`;

const byName = (pkgs: InventoryPackage[], name: string) => pkgs.filter((p) => p.name === name);

describe('collectPackages on a fake root', () => {
  it('reads dpkg status with Source mapping and the packages whose files are on disk', async () => {
    const root = await makeTree({ files: { 'var/lib/dpkg/status': DPKG_STATUS } });
    const r = await collectPackages({ root });
    expect(r.packages).toEqual([
      { name: 'libssl3', version: '3.0.11-1~deb12u2', arch: 'amd64', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2' },
      { name: 'bash', version: '5.2.15-2+b2', arch: 'amd64', sourceName: 'bash', sourceVersion: '5.2.15-2' },
      // Held packages are installed too (core's rule: the state word decides, not the want).
      { name: 'held-one', version: '1.0-1', arch: 'all', sourceName: 'held-one', sourceVersion: '1.0-1' },
      // An interrupted install leaves its files (and their vulnerabilities) on disk.
      { name: 'half', version: '0.1-1', arch: 'amd64', sourceName: 'half', sourceVersion: '0.1-1' },
    ]);
    expect(r.skipped).toEqual([{ reason: 'dpkg state config-files', count: 1 }]);
    expect(r.warnings).toEqual([]);
    expect(r.complete).toBe(true);
  });

  it('reads the apk database with origin as source name', async () => {
    const root = await makeTree({ files: { 'lib/apk/db/installed': APK_INSTALLED } });
    const r = await collectPackages({ root });
    expect(r.packages).toEqual([
      { name: 'libcrypto3', version: '3.3.1-r0', arch: 'x86_64', sourceName: 'openssl', sourceVersion: '3.3.1-r0' },
      { name: 'musl', version: '1.2.5-r0', arch: 'x86_64', sourceName: 'musl', sourceVersion: '1.2.5-r0' },
    ]);
  });

  it('refuses an apk database that lists no package (a 0-byte file), naming it', async () => {
    const root = await makeTree({ files: { 'lib/apk/db/installed': '' } });
    await expect(collectPackages({ root })).rejects.toMatchObject({
      code: 'PW_INPUT_INVALID',
      message: `${path.join(root, 'lib/apk/db/installed')}: the package database exists but lists no installed packages; refusing to report the host as having none`,
    });
  });

  it('reads Python dist-info and egg-info (directory and file) metadata in every system site directory', async () => {
    const meta = (name: string, version?: string) => `Metadata-Version: 2.1\nName: ${name}\n${version ? `Version: ${version}\n` : ''}Summary: x\n\nVersion: 0.0.0-from-body\n`;
    const root = await makeTree({
      files: {
        'usr/lib/python3/dist-packages/Jinja2-3.1.2.dist-info/METADATA': meta('Jinja2', '3.1.2'),
        'usr/lib/python3/dist-packages/PyYAML-6.0.egg-info/PKG-INFO': meta('PyYAML', '6.0'),
        'usr/lib/python3/dist-packages/distro_info-1.5.egg-info': meta('distro-info', '1.5'),
        'usr/lib/python3/dist-packages/six.py': '',
        'usr/lib/python3.11/site-packages/zope.interface-5.5.2.dist-info/METADATA': meta('zope.interface', '5.5.2'),
        'usr/local/lib/python3.12/dist-packages/requests-2.31.0.dist-info/METADATA': meta('requests', '2.31.0'),
        'usr/local/lib/python3.12/dist-packages/noversion-1.dist-info/METADATA': meta('noversion'),
        'usr/lib64/python3.9/site-packages/rpm-4.16.1.3-py3.9.egg-info/PKG-INFO': meta('rpm', '4.16.1.3'),
        // Not a site directory of a Python 3 interpreter:
        'usr/lib/python2.7/dist-packages/old-1.0.dist-info/METADATA': meta('old', '1.0'),
      },
      dirs: ['usr/lib/python3/dist-packages/empty-1.0.dist-info'],
      // Red Hat family layouts reach one site directory through two prefixes; read it once.
      symlinks: { 'usr/local/lib64': 'lib' },
    });
    const r = await collectPackages({ root });
    const shown = r.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`);
    expect(shown.sort()).toEqual(
      ['PyPI Jinja2 3.1.2', 'PyPI PyYAML 6.0', 'PyPI distro-info 1.5', 'PyPI requests 2.31.0', 'PyPI rpm 4.16.1.3', 'PyPI zope.interface 5.5.2'].sort(),
    );
    expect(r.warnings).toEqual([
      `${path.join(root, 'usr/lib/python3/dist-packages/empty-1.0.dist-info/METADATA')}: missing; Python package skipped`,
      `${path.join(root, 'usr/local/lib/python3.12/dist-packages/noversion-1.dist-info/METADATA')}: noversion has no Version header; Python package skipped`,
    ]);
    expect(r.complete).toBe(true);
  });

  it('never reads through a symlink out of the root: a Python package is skipped with a warning, a distribution database is an error', async () => {
    const up = '../'.repeat(24);
    const pyRoot = await makeTree({
      files: { 'usr/lib/python3/dist-packages/ok-1.dist-info/METADATA': 'Name: ok\nVersion: 1\n' },
      symlinks: { 'usr/lib/python3/dist-packages/evil-1.dist-info/METADATA': `${up}etc/passwd` },
    });
    const r = await collectPackages({ root: pyRoot });
    expect(r.packages).toEqual([{ ecosystem: 'PyPI', name: 'ok', version: '1' }]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('evil-1.dist-info/METADATA: a symlink or ".." leads outside the root; refused');

    // A whole site directory (or its prefix) leading out of the root: warned about, the rest still sent.
    const siteRoot = await makeTree({
      files: { 'var/lib/dpkg/status': DPKG_STATUS, 'usr/lib/python3.11/site-packages/ok-1.dist-info/METADATA': 'Name: ok\nVersion: 1\n' },
      symlinks: { 'usr/lib/python3/dist-packages': `${up}usr/lib/python3/dist-packages`, 'usr/local/lib': `${up}usr/local/lib` },
    });
    const site = await collectPackages({ root: siteRoot });
    expect(site.packages.map((p) => `${p.ecosystem ?? 'distro'} ${p.name}`)).toEqual(['distro libssl3', 'distro bash', 'distro held-one', 'distro half', 'PyPI ok']);
    expect(site.warnings).toEqual([
      `${path.join(siteRoot, 'usr/local/lib')}: a symlink or ".." leads outside the root; refused; Python directories under it skipped`,
      `${path.join(siteRoot, 'usr/lib/python3/dist-packages')}: a symlink or ".." leads outside the root; refused; Python site directory skipped`,
    ]);
    expect(site.complete).toBe(true);

    // dpkg's file lists out of the root: nothing can be said about who installed the Python packages.
    const infoRoot = await makeTree({
      files: { 'var/lib/dpkg/status': DPKG_STATUS, 'usr/lib/python3/dist-packages/ok-1.dist-info/METADATA': 'Name: ok\nVersion: 1\n' },
      symlinks: { 'var/lib/dpkg/info': `${up}var/lib/dpkg/info` },
    });
    const info = await collectPackages({ root: infoRoot });
    expect(info.packages.filter((p) => p.ecosystem === 'PyPI')).toEqual([{ ecosystem: 'PyPI', name: 'ok', version: '1' }]);
    expect(info.warnings).toEqual([
      `${path.join(infoRoot, 'var/lib/dpkg/info')}: a symlink or ".." leads outside the root; refused; the Python distributions the system package manager installed may be reported as PyPI packages`,
    ]);

    const dpkgRoot = await makeTree({ symlinks: { 'var/lib/dpkg/status': `${up}etc/shadow` } });
    await expect(collectPackages({ root: dpkgRoot })).rejects.toMatchObject({
      code: 'PW_INPUT_UNREADABLE',
      message: expect.stringContaining(path.join(dpkgRoot, 'var/lib/dpkg/status')),
    });

    // An absolute link is read inside the root (as a chroot sees it): here there is nothing there.
    const absRoot = await makeTree({ symlinks: { 'var/lib/dpkg/status': '/var/lib/dpkg/status' } });
    await expect(collectPackages({ root: absRoot })).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('symlinks') });

    const rpmRoot = await makeTree({ symlinks: { 'var/lib/rpm': `${up}var/lib/rpm` } });
    await expect(collectPackages({ root: rpmRoot })).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE' });
  });

  it('fails with the file and line on a malformed database instead of sending a partial list', async () => {
    const root = await makeTree({ files: { 'var/lib/dpkg/status': 'Package: a\nStatus: install ok installed\nno colon here\n' } });
    await expect(collectPackages({ root })).rejects.toMatchObject({
      code: 'PW_INPUT_MALFORMED',
      message: `${path.join(root, 'var/lib/dpkg/status')}: line 3: expected "Field: value"`,
    });
  });

  it('warns, and marks the result incomplete, when an rpm database exists but rpm is not installed', async () => {
    const root = await makeTree({ files: { 'usr/lib/sysimage/rpm/rpmdb.sqlite': '' } });
    const r = await collectPackages({ root, rpmCommand: path.join(root, 'no-such-rpm') });
    expect(r.packages).toEqual([]);
    expect(r.complete).toBe(false);
    expect(r.warnings).toEqual([
      `rpm database ${path.join(root, 'usr/lib/sysimage/rpm')}: found, but the "${path.join(root, 'no-such-rpm')}" program is not installed here; rpm packages were not collected`,
    ]);
  });

  it('does not run rpm for an empty rpm directory (rpm -qa would create a database there)', async () => {
    const root = await makeTree({ dirs: ['var/lib/rpm'] });
    const r = await collectPackages({
      root,
      run: () => Promise.reject(new Error('rpm must not run')),
    });
    expect(r).toEqual({ packages: [], warnings: [], skipped: [], complete: true });
  });

  it('returns nothing for an empty root', async () => {
    expect(await collectPackages({ root: await makeTree({}) })).toEqual({ packages: [], warnings: [], skipped: [], complete: true });
  });
});

async function haveProgram(file: string, args: string[]): Promise<boolean> {
  try {
    await run(file, args);
    return true;
  } catch {
    return false;
  }
}

const onDpkgHost = await haveProgram('dpkg-query', ['--version']);

describe.runIf(onDpkgHost || process.env.CI === 'true')('collectPackages on this machine (root /)', () => {
  it('lists exactly what dpkg-query lists with files on disk, with the same source names and versions', async () => {
    const r = await collectPackages({ root: '/' });
    const { stdout } = await run('dpkg-query', ['-W', '-f', '${db:Status-Status}\t${Package}\t${Architecture}\t${Version}\t${source:Package}\t${source:Version}\n'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const expected = stdout
      .split('\n')
      .filter((l) => DPKG_ON_DISK_STATES.has(l.split('\t')[0] ?? ''))
      .map((l) => l.split('\t').slice(1).join(' '))
      .sort();
    const got = r.packages.filter((p) => p.ecosystem === undefined).map((p) => `${p.name} ${p.arch} ${p.version} ${p.sourceName} ${p.sourceVersion}`).sort();
    expect(got).toEqual(expected);

    const version = async (pkg: string) => (await run('dpkg-query', ['-W', '-f', '${Version}', pkg])).stdout;
    expect(byName(r.packages, 'dpkg')[0]?.version).toBe(await version('dpkg'));
    const libc = byName(r.packages, 'libc6')[0];
    expect(libc?.sourceName).toBe('glibc');
    expect(libc?.sourceVersion).toBe(await version('libc6'));
    expect(r.complete).toBe(true);
  });

  it("lists the system interpreter's importlib.metadata distributions that dpkg did not install", async ({ skip }) => {
    const python = '/usr/bin/python3';
    if (!(await haveProgram(python, ['--version']))) {
      if (process.env.CI === 'true') throw new Error(`${python} is required when CI=true`);
      skip(`${python} is not installed`);
    }
    // -I: isolated (no user site, no PYTHONPATH), so the interpreter sees only system site directories.
    const script = 'import importlib.metadata as m\nfor d in m.distributions():\n  print(d.metadata["Name"], d.version, d._path, sep="\\t")';
    const { stdout } = await run(python, ['-I', '-c', script]);
    const listed = stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t') as [string, string, string]);
    // dpkg-query -S with an absolute path and no wildcard answers for exactly that path.
    const dpkgOwns = async (p: string) => run('dpkg-query', ['-S', p]).then(() => true, () => false);
    const expected: string[] = [];
    let owned = 0;
    for (const [name, version, where] of listed) {
      if (await dpkgOwns(where)) owned++;
      else expected.push(`${name} ${version}`);
    }
    const r = await collectPackages({ root: '/' });
    const got = r.packages.filter((p) => p.ecosystem === 'PyPI').map((p) => `${p.name} ${p.version}`).sort();
    expect(got).toEqual(expected.sort());
    expect(r.skipped.find((s) => s.reason === 'Python distribution installed by the system package manager')?.count ?? 0).toBe(owned);
  });
});
