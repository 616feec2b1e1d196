/**
 * A local apt repository of small test packages, built at run time with `dpkg-deb --build` from
 * trees generated here (no binary is committed) and indexed with `dpkg-scanpackages`, and a
 * prepared layer for test hosts: the Debian base whose apt sees ONLY this repository
 * (`deb [trusted=yes] file:/srv/pw-repo ./`, updated offline) and has version 1.0 of each
 * preinstalled package. Clones on that layer (cloneHost with `layers: [await repo.layer()]`)
 * start in that state in milliseconds.
 *
 * The packages, each in 1.0 and 1.1:
 * - pw-hello: plain data; installs and downgrades cleanly.
 * - pw-broken: 1.1's postinst exits 1, leaving dpkg's "half-configured" state behind.
 * - pw-unhealthy: 1.1 installs a status file saying `unhealthy`, which UNHEALTHY_CHECK rejects.
 * - pw-kernel: 1.1's postinst creates /var/run/reboot-required, as a kernel's does on Ubuntu
 *   (update-notifier) or with unattended-upgrades' hook.
 * - linux-image-pw-test: named as a kernel image, and like one on plain Debian raises no marker:
 *   only its unpack time tells that a reboot is pending (dpkg-reboot-hint.ts).
 * - pw-slow: 1.1's postinst sleeps a minute the first time it runs (a transaction to interrupt),
 *   and returns at once when dpkg --configure -a runs it again.
 * - pw-extra: in the repository, not preinstalled (a package a job adds).
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sha256Hex } from '@patchwise/agent';
import type { ApprovedScript } from '@patchwise/core';
import type { DebianSuite } from './debian-base.js';
import { exec } from './exec-file.js';
import { cloneHost, type HostClone } from './host-clone.js';

export interface TestPackage {
  readonly name: string;
  readonly version: string;
  /** Files the package installs (absolute path → content). */
  readonly files: Readonly<Record<string, string>>;
  /** Body of the postinst (a /bin/sh script), when it has one. */
  readonly postinst?: string;
  /** Whether version 1.0 is preinstalled in the prepared layer. */
  readonly preinstalled: boolean;
}

const hello = (version: string): TestPackage => ({ name: 'pw-hello', version, files: { '/usr/share/pw-hello/version': `${version}\n` }, preinstalled: true });

export const TEST_PACKAGES: readonly TestPackage[] = [
  hello('1.0'),
  hello('1.1'),
  { name: 'pw-broken', version: '1.0', files: { '/usr/share/pw-broken/version': '1.0\n' }, preinstalled: true },
  {
    name: 'pw-broken',
    version: '1.1',
    files: { '/usr/share/pw-broken/version': '1.1\n' },
    postinst: 'echo "pw-broken 1.1: postinst fails on purpose" >&2\nexit 1\n',
    preinstalled: true,
  },
  { name: 'pw-unhealthy', version: '1.0', files: { '/usr/share/pw-unhealthy/status': 'healthy\n' }, preinstalled: true },
  { name: 'pw-unhealthy', version: '1.1', files: { '/usr/share/pw-unhealthy/status': 'unhealthy\n' }, preinstalled: true },
  { name: 'pw-kernel', version: '1.0', files: { '/usr/share/pw-kernel/version': '1.0\n' }, preinstalled: true },
  {
    name: 'pw-kernel',
    version: '1.1',
    files: { '/usr/share/pw-kernel/version': '1.1\n' },
    postinst: 'set -e\nif [ "$1" = configure ]; then touch /var/run/reboot-required; fi\n',
    preinstalled: true,
  },
  { name: 'linux-image-pw-test', version: '1.0', files: { '/usr/share/linux-image-pw-test/version': '1.0\n' }, preinstalled: true },
  { name: 'linux-image-pw-test', version: '1.1', files: { '/usr/share/linux-image-pw-test/version': '1.1\n' }, preinstalled: true },
  { name: 'pw-slow', version: '1.0', files: { '/usr/share/pw-slow/version': '1.0\n' }, preinstalled: true },
  {
    name: 'pw-slow',
    version: '1.1',
    files: { '/usr/share/pw-slow/version': '1.1\n' },
    postinst: 'if [ ! -e /var/lib/pw-slow.ran ]; then touch /var/lib/pw-slow.ran; sleep 60; fi\n',
    preinstalled: true,
  },
  { name: 'pw-extra', version: '1.0', files: { '/usr/share/pw-extra/version': '1.0\n' }, preinstalled: false },
];

/** The approved health-check script that rejects pw-unhealthy 1.1 (its status file says `unhealthy`). */
export const UNHEALTHY_CHECK: ApprovedScript = approved(
  'pw-unhealthy-status',
  'status=$(cat /usr/share/pw-unhealthy/status) || exit 2\n[ "$status" = healthy ] || { echo "pw-unhealthy reports: $status" >&2; exit 1; }\n',
);

/** An ApprovedScript with the right SHA-256, as the server's library would carry it. */
export function approved(name: string, body: string): ApprovedScript {
  return { name, body, sha256: sha256Hex(body) };
}

export interface LocalAptRepository {
  /** The Debian release its layer is made over: clones on the layer must name it too (cloneHost's `suite`). */
  readonly suite: DebianSuite;
  /** The directory holding the .debs and `Packages` (copied to /srv/pw-repo in hosts). */
  readonly dir: string;
  readonly packages: readonly TestPackage[];
  /** Points a host's apt at this repository only, updates, and installs the preinstalled packages at 1.0. */
  installInto(root: string): Promise<void>;
  /**
   * Adds `pkg` to the copy of the repository inside the host tree `root` and re-indexes it, as a
   * mirror publishing a new version would; the host's apt lists are left as they were.
   */
  publishInto(root: string, pkg: TestPackage): Promise<void>;
  /** The prepared layer (base + repository + 1.0 installed), built on first call; pass it to cloneHost's `layers`. */
  layer(): Promise<string>;
  /** Deletes the repository and its layer (clones on the layer must be disposed first). */
  dispose(): Promise<void>;
}

const IN_HOST = '/srv/pw-repo';

const shared = new Map<DebianSuite, Promise<LocalAptRepository>>();

/**
 * The process's repository for hosts of `suite` (default bookworm), built on first use (well
 * under a second; its layer, the first time layer() is called, takes a few seconds of apt).
 */
export function localAptRepository(suite: DebianSuite = 'bookworm'): Promise<LocalAptRepository> {
  let repository = shared.get(suite);
  if (!repository) {
    repository = buildRepository(suite);
    shared.set(suite, repository);
  }
  return repository;
}

async function buildRepository(suite: DebianSuite): Promise<LocalAptRepository> {
  const work = mkdtempSync(join(tmpdir(), 'pw-apt-repo-'));
  const dir = join(work, 'repo');
  mkdirSync(dir);
  try {
    for (const pkg of TEST_PACKAGES) await buildDeb(pkg, join(work, 'src', `${pkg.name}_${pkg.version}`), dir);
    // --multiversion: both versions of each package in the index, so apt can install either.
    const { stdout } = await exec('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: dir });
    writeFileSync(join(dir, 'Packages'), stdout);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }

  let layerClone: Promise<HostClone> | undefined;
  const repository: LocalAptRepository = {
    suite,
    dir,
    packages: TEST_PACKAGES,
    installInto: (root) => installInto(dir, root),
    publishInto: async (root, pkg) => {
      const inHost = join(root, IN_HOST.slice(1));
      await buildDeb(pkg, mkdtempSync(join(work, `src-${pkg.name}_${pkg.version}-`)), inHost);
      const { stdout } = await exec('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: inHost });
      writeFileSync(join(inHost, 'Packages'), stdout);
    },
    layer: async () => {
      layerClone ??= (async () => {
        const clone = await cloneHost('pw-repo-layer', { suite });
        try {
          await installInto(dir, clone.root);
          // Unmounted, the upper directory is exactly the changes: a layer for other clones.
          await exec('umount', [clone.root]);
          return clone;
        } catch (err) {
          await clone.dispose();
          throw err;
        }
      })();
      return (await layerClone).upper;
    },
    dispose: async () => {
      if (layerClone) await (await layerClone).dispose();
      rmSync(work, { recursive: true, force: true });
      shared.delete(suite);
    },
  };
  return repository;
}

async function buildDeb(pkg: TestPackage, tree: string, out: string): Promise<void> {
  mkdirSync(join(tree, 'DEBIAN'), { recursive: true, mode: 0o755 });
  for (const [path, content] of Object.entries(pkg.files)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true, mode: 0o755 });
    writeFileSync(join(tree, path), content, { mode: 0o644 });
  }
  const control = [
    `Package: ${pkg.name}`,
    `Version: ${pkg.version}`,
    'Architecture: all',
    'Maintainer: Patchwise tests <tests@patchwise.invalid>',
    'Priority: optional',
    `Description: Patchwise end-to-end test package ${pkg.name}`,
    ' Built by test/e2e/support/local-apt-repository.ts.',
    '',
  ].join('\n');
  writeFileSync(join(tree, 'DEBIAN/control'), control, { mode: 0o644 });
  if (pkg.postinst !== undefined) {
    writeFileSync(join(tree, 'DEBIAN/postinst'), `#!/bin/sh\n${pkg.postinst}`);
    chmodSync(join(tree, 'DEBIAN/postinst'), 0o755);
  }
  await exec('dpkg-deb', ['--root-owner-group', '--build', tree, join(out, `${pkg.name}_${pkg.version}_all.deb`)]);
}

async function installInto(repoDir: string, root: string): Promise<void> {
  cpSync(repoDir, join(root, IN_HOST.slice(1)), { recursive: true });
  // Only the local repository: nothing may reach the network, and no other version may win.
  rmSync(join(root, 'etc/apt/sources.list'), { force: true });
  const listDir = join(root, 'etc/apt/sources.list.d');
  mkdirSync(listDir, { recursive: true });
  for (const name of readdirSync(listDir)) rmSync(join(listDir, name), { recursive: true, force: true });
  writeFileSync(join(listDir, 'pw-repo.list'), `deb [trusted=yes] file:${IN_HOST} ./\n`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await exec('chroot', [root, 'apt-get', 'update'], { env, timeoutMs: 120_000 });
  const preinstalled = TEST_PACKAGES.filter((p) => p.preinstalled && p.version === '1.0').map((p) => `${p.name}=1.0`);
  await exec('chroot', [root, 'apt-get', 'install', '-y', ...preinstalled], { env, timeoutMs: 300_000 });
}
