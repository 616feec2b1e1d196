/**
 * Debian's own dpkg, run inside a chroot: it changes the chroot's inventory for real, and it is
 * the oracle the test's expectations come from (installed versions, version order), so nothing
 * expected is computed by the code under test.
 */
import { readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { exec, execStatus } from './exec-file.js';

/** Maintainer scripts must never ask questions or look at the build machine's locale. */
const CHROOT_ENV = { DEBIAN_FRONTEND: 'noninteractive', DEBCONF_NONINTERACTIVE_SEEN: 'true' };

export interface InstalledSource {
  /** The source package, which Debian advisories name. */
  readonly name: string;
  /** The source version (differs from the binary's on binNMUs such as `5.2.15-2+b13`). */
  readonly version: string;
}

/** The source package and version that binary package `binary` was built from, as dpkg records it. */
export async function installedSource(root: string, binary: string): Promise<InstalledSource> {
  const { stdout } = await exec('chroot', [root, 'dpkg-query', '--show', '--showformat=${source:Package}\\t${source:Version}', binary]);
  const [name, version] = stdout.split('\t');
  if (!name || !version) throw new Error(`dpkg-query printed no source for ${binary}: ${JSON.stringify(stdout)}`);
  return { name, version };
}

/** Binary packages dpkg considers installed (the agent must report exactly these). */
export async function installedPackages(root: string): Promise<string[]> {
  const { stdout } = await exec('chroot', [root, 'dpkg-query', '--show', '--showformat=${Package}\\t${db:Status-Status}\\n']);
  return stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([, status]) => status === 'installed')
    .map(([name]) => name as string)
    .sort();
}

/** `dpkg --compare-versions a op b`, by the chroot's dpkg. */
export function dpkgCompare(root: string, a: string, op: 'lt' | 'le' | 'eq' | 'ge' | 'gt', b: string): Promise<boolean> {
  return execStatus('chroot', [root, 'dpkg', '--compare-versions', a, op, b]);
}

/** Removes packages and their configuration from the chroot (`dpkg --purge`, maintainer scripts and all). */
export async function purgePackages(root: string, packages: readonly string[]): Promise<void> {
  await exec('chroot', [root, 'dpkg', '--purge', ...packages], { env: CHROOT_ENV, timeoutMs: 120_000 });
}

/** One installed binary package as dpkg-query describes it: what an inventory must carry for it. */
export interface InstalledPackageRow {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  /** The source package; dpkg-query gives the binary's own name when the stanza has no Source field. */
  readonly sourceName: string;
  /** The source version; the binary's own when the Source field names none. */
  readonly sourceVersion: string;
}

/**
 * Every package dpkg considers installed, with version, architecture and source, sorted by name
 * and architecture: the oracle an agent's inventory of the chroot is compared with field by field.
 */
export async function installedPackageRows(root: string): Promise<InstalledPackageRow[]> {
  const format = '${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t${db:Status-Status}\\n';
  const { stdout } = await exec('chroot', [root, 'dpkg-query', '--show', `--showformat=${format}`]);
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'))
    .filter((fields) => fields[5] === 'installed')
    .map(([name = '', version = '', arch = '', sourceName = '', sourceVersion = '']) => ({ name, version, arch, sourceName, sourceVersion }))
    .sort((a, b) => `${a.name}:${a.arch}`.localeCompare(`${b.name}:${b.arch}`));
}

/** 2000-01-01: earlier than any boot of a machine running these tests. */
export const LONG_AGO = new Date('2000-01-01T00:00:00Z');

/**
 * Dates every dpkg file list of the tree at `root` LONG_AGO: a host whose packages were all
 * installed before it last booted, as a real one is. The cached Debian bases are built on the
 * test machine, often after it booted, so without this each of their libc6 and systemd counts as
 * unpacked since boot (the agent's reboot rule, dpkg-reboot-hint.ts), which a test host with /proc
 * would rightly report as a pending reboot.
 */
export function installedBeforeBoot(root: string): void {
  const info = join(root, 'var/lib/dpkg/info');
  for (const name of readdirSync(info)) if (name.endsWith('.list')) utimesSync(join(info, name), LONG_AGO, LONG_AGO);
}
