/**
 * A local RPM repository for the dnf, yum and zypper end-to-end tests: noarch packages built
 * here with rpmbuild from spec files this module writes (no binary is committed, nothing is
 * downloaded), indexed with createrepo_c; and, per package manager, a prepared layer for test
 * hosts: the Debian layer with that manager (debian-layer.ts), whose only repository is this one
 * (`file:///srv/pw-rpm-repo`) and which has the preinstalled packages at their first version,
 * installed by the manager itself. Clones on it (cloneHost with `layers: await repo.layers(m)`)
 * start in that state in milliseconds. All of it lives in a temporary directory for the process.
 *
 * The packages:
 * - pw-hello 1.0-1 (preinstalled), 1.1-1; and 1.2-1, built but left out of the index until a
 *   test publishes it (a fix released after the host last read the repository).
 * - pw-epoch 0:2.0-1 (preinstalled) and 1:1.0-1: the higher epoch wins over the higher version.
 * - pw-broken 1.0-1 (preinstalled), 1.1-1 whose %post exits 1.
 * - pw-extra 1.0-1: in the repository, not preinstalled (a package a job adds).
 * - pw-sh: provides /bin/sh and holds no file. The hosts' /bin/sh is dpkg's, and rpm adds
 *   `Requires: /bin/sh` to every package with a shell scriptlet, so without it no solver would
 *   install pw-broken; on an RPM distribution bash's package is what provides it.
 *
 * The test hosts' configuration (never the drivers') makes the repository usable: gpgcheck=0
 * because the test packages are unsigned; rpm's database at /var/lib/rpm, as on RPM
 * distributions (Debian's rpm keeps it in ~/.rpmdb, being meant for building, not for running a
 * system); dnf's `local` plugin off (Debian turns it on; Fedora and RHEL ship it separately and
 * off) and a `releasever` (dnf cannot read one from a Debian tree).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { debianLayer } from './debian-layer.js';
import { exec } from './exec-file.js';
import { cloneHost, type HostClone } from './host-clone.js';

export type RpmManager = 'dnf' | 'zypper';

export interface TestRpm {
  readonly name: string;
  readonly epoch?: number;
  /** `version-release`. */
  readonly version: string;
  /** Body of the %post scriptlet (/bin/sh), when it has one. */
  readonly post?: string;
  readonly provides?: string;
  /** Installed in the prepared layer. */
  readonly preinstalled: boolean;
  /** In the repository's index from the start; otherwise only after `publish`. */
  readonly published: boolean;
}

export const TEST_RPMS: readonly TestRpm[] = [
  { name: 'pw-sh', version: '1.0-1', provides: '/bin/sh', preinstalled: true, published: true },
  { name: 'pw-hello', version: '1.0-1', preinstalled: true, published: true },
  { name: 'pw-hello', version: '1.1-1', preinstalled: false, published: true },
  { name: 'pw-hello', version: '1.2-1', preinstalled: false, published: false },
  { name: 'pw-epoch', epoch: 0, version: '2.0-1', preinstalled: true, published: true },
  { name: 'pw-epoch', epoch: 1, version: '1.0-1', preinstalled: false, published: true },
  { name: 'pw-broken', version: '1.0-1', preinstalled: true, published: true },
  { name: 'pw-broken', version: '1.1-1', post: 'echo "pw-broken 1.1: %post fails on purpose" >&2\nexit 1\n', preinstalled: false, published: true },
  { name: 'pw-extra', version: '1.0-1', preinstalled: false, published: true },
];

/** `[epoch:]version-release`, as the drivers and rpm write it. */
export function evr(pkg: TestRpm): string {
  return `${pkg.epoch === undefined ? '' : `${pkg.epoch}:`}${pkg.version}`;
}

export interface LocalRpmRepository {
  /** The indexed repository (copied to /srv/pw-rpm-repo in hosts). */
  readonly dir: string;
  /** The lower layers of a host whose `manager` sees only this repository (topmost first). */
  layers(manager: RpmManager): Promise<string[]>;
  /** Adds an unpublished package to a host's copy of the repository and re-indexes it. */
  publish(host: HostClone, name: string, version: string): Promise<void>;
  /** Deletes the repository and its layers (clones on them must be disposed first). */
  dispose(): Promise<void>;
}

const IN_HOST = '/srv/pw-rpm-repo';
const TOOLS: Record<RpmManager, string[]> = {
  // rpm: the driver's queries; dnf-plugins-core: `dnf needs-restarting`.
  dnf: ['dnf', 'dnf-plugins-core', 'rpm'],
  zypper: ['zypper', 'rpm'],
};

let shared: Promise<LocalRpmRepository> | undefined;

/** The process's repository, built on first use (about a second). */
export function localRpmRepository(): Promise<LocalRpmRepository> {
  shared ??= buildRepository();
  return shared;
}

async function buildRepository(): Promise<LocalRpmRepository> {
  const work = mkdtempSync(join(tmpdir(), 'pw-rpm-repo-'));
  const dir = join(work, 'repo');
  const late = join(work, 'late');
  mkdirSync(dir);
  mkdirSync(late);
  try {
    for (const pkg of TEST_RPMS) {
      const rpm = await buildRpm(pkg, join(work, 'build'));
      copyFileSync(rpm, join(pkg.published ? dir : late, fileName(pkg)));
    }
    await exec('createrepo_c', ['--quiet', dir]);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }

  const prepared = new Map<RpmManager, Promise<{ clone: HostClone; tools: string }>>();
  const prepare = (manager: RpmManager) => {
    let layer = prepared.get(manager);
    if (!layer) {
      layer = prepareLayer(dir, manager);
      prepared.set(manager, layer);
    }
    return layer;
  };
  return {
    dir,
    layers: async (manager) => {
      const { clone, tools } = await prepare(manager);
      return [clone.upper, tools];
    },
    publish: async (host, name, version) => {
      const pkg = TEST_RPMS.find((p) => p.name === name && p.version === version && !p.published);
      if (!pkg) throw new Error(`publish: no unpublished ${name} ${version}`);
      const repo = join(host.root, IN_HOST.slice(1));
      copyFileSync(join(late, fileName(pkg)), join(repo, fileName(pkg)));
      // createrepo_c replaces repodata/ by renaming a new directory over it, which overlayfs
      // refuses for a directory of a lower layer ("Directory not empty"): index afresh.
      rmSync(join(repo, 'repodata'), { recursive: true });
      await exec('createrepo_c', ['--quiet', repo]);
    },
    dispose: async () => {
      for (const layer of prepared.values()) await (await layer).clone.dispose();
      rmSync(work, { recursive: true, force: true });
      shared = undefined;
    },
  };
}

function fileName(pkg: TestRpm): string {
  return `${pkg.name}-${pkg.version}.noarch.rpm`;
}

/** rpmbuild -bb of a spec written here; returns the .rpm's path. */
async function buildRpm(pkg: TestRpm, top: string): Promise<string> {
  const [version, release] = pkg.version.split('-') as [string, string];
  const specs = join(top, 'SPECS');
  mkdirSync(specs, { recursive: true });
  const file = `/usr/share/${pkg.name}/version`;
  // `%%`: rpm expands macros in scriptlet bodies; the message means a literal `%post`.
  const spec = [
    `Name: ${pkg.name}`,
    ...(pkg.epoch === undefined ? [] : [`Epoch: ${pkg.epoch}`]),
    `Version: ${version}`,
    `Release: ${release}`,
    'Summary: Patchwise end-to-end test package',
    'License: Apache-2.0',
    'BuildArch: noarch',
    ...(pkg.provides === undefined ? [] : [`Provides: ${pkg.provides}`]),
    '',
    '%description',
    'Built by test/e2e/support/local-rpm-repository.ts.',
    '',
    '%install',
    ...(pkg.provides === undefined ? [`mkdir -p %{buildroot}${dirname(file)}`, `echo ${evr(pkg)} > %{buildroot}${file}`] : []),
    '',
    '%files',
    ...(pkg.provides === undefined ? [file] : []),
    ...(pkg.post === undefined ? [] : ['', '%post', pkg.post.replaceAll('%', '%%')]),
    '',
  ].join('\n');
  const path = join(specs, `${pkg.name}-${pkg.version}.spec`);
  writeFileSync(path, spec);
  await exec('rpmbuild', ['--quiet', '--define', `_topdir ${top}`, '-bb', path], { timeoutMs: 120_000 });
  return join(top, 'RPMS/noarch', fileName(pkg));
}

/** A clone of the manager's Debian layer set up to use the repository, with the preinstalled packages; its upper directory is the layer. */
async function prepareLayer(repoDir: string, manager: RpmManager): Promise<{ clone: HostClone; tools: string }> {
  const tools = (await debianLayer(TOOLS[manager])).layer;
  const clone = await cloneHost(`pw-rpm-${manager}-layer`, { layers: [tools] });
  try {
    const root = clone.root;
    await exec('cp', ['-a', '--', repoDir, join(root, IN_HOST.slice(1))]);
    write(root, '/etc/rpm/macros.dbpath', '# As on RPM distributions (Debian\'s rpm keeps it in ~/.rpmdb).\n%_dbpath /var/lib/rpm\n');
    const preinstalled = TEST_RPMS.filter((p) => p.preinstalled);
    if (manager === 'dnf') {
      write(root, '/etc/yum.repos.d/pw-rpm-repo.repo', repoFile(''));
      write(root, '/etc/dnf/plugins/local.conf', '[main]\nenabled = false\n');
      write(root, '/etc/dnf/vars/releasever', '12\n');
      await exec('chroot', [root, 'dnf', 'install', '-y', ...preinstalled.map((p) => `${p.name}-${evr(p)}`)], { timeoutMs: 300_000 });
    } else {
      // autorefresh=0: what `zypper addrepo` writes unless given --refresh. zypper then never
      // re-reads the repository by itself (with autorefresh=1 it re-reads a local one at once).
      write(root, '/etc/zypp/repos.d/pw-rpm-repo.repo', repoFile('autorefresh=0\ntype=rpm-md\n'));
      await exec('chroot', [root, 'zypper', '--non-interactive', 'install', ...preinstalled.map((p) => `${p.name}=${evr(p)}`)], { timeoutMs: 300_000 });
    }
    // Unmounted, the upper directory is exactly the changes: a layer for other clones.
    await exec('umount', [root]);
    return { clone, tools };
  } catch (err) {
    await clone.dispose();
    throw err;
  }
}

function repoFile(extra: string): string {
  // gpgcheck=0 here, in the test host's configuration: the test packages are not signed.
  return `[pw-rpm-repo]\nname=Patchwise test packages\nbaseurl=file://${IN_HOST}\nenabled=1\ngpgcheck=0\n${extra}`;
}

function write(root: string, path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}
