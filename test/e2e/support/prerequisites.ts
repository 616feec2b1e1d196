/**
 * What the chroot end-to-end tests need from the machine. On CI (`CI=true`) a missing piece is
 * an error, so the suite fails instead of passing by skipping; elsewhere the suite is skipped
 * and says why.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DebianSuite } from './debian-base.js';
import { which } from './exec-file.js';

/** Why the Debian chroot tests cannot run here, or undefined when they can. */
export async function missingChrootPrerequisites(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `Linux (this is ${process.platform})`;
  // debootstrap, chroot, dpkg inside the chroot and overlay mounts all need root.
  if (process.getuid?.() !== 0) return 'root (debootstrap, chroot and mount need it)';
  const missing: string[] = [];
  for (const program of ['debootstrap', 'chroot', 'dpkg', 'mount', 'umount']) if (!(await which(program))) missing.push(program);
  return missing.length > 0 ? `${missing.join(', ')} on PATH (Debian: apt-get install -y debootstrap)` : undefined;
}

/** Throws on CI when `missing` is set; returns whether the suite should be skipped. */
export function skipUnlessAvailable(suite: string, missing: string | undefined): boolean {
  if (missing === undefined) return false;
  if (process.env.CI === 'true') throw new Error(`${suite} needs ${missing}; on CI a missing prerequisite fails the run`);
  console.warn(`skipping ${suite}: needs ${missing}`);
  return true;
}

/**
 * Why this machine's debootstrap cannot build `suite`, or undefined when it can: a debootstrap
 * older than the release has no script for it, and an archive keyring older than the release
 * lacks its signing key (debootstrap then fails after the download, with a message about an
 * unknown key).
 */
export function missingDebootstrapSuite(suite: DebianSuite): string | undefined {
  const scripts = join(process.env.DEBOOTSTRAP_DIR ?? '/usr/share/debootstrap', 'scripts');
  if (!existsSync(join(scripts, suite))) return `a debootstrap that knows ${suite} (no ${join(scripts, suite)}: a debootstrap older than ${suite}; Debian: apt-get install -y debootstrap)`;
  const keyring = `/usr/share/keyrings/debian-archive-${suite}-stable.gpg`;
  if (!existsSync(keyring)) return `${suite}'s archive signing key (no ${keyring}: a keyring older than ${suite}; Debian: apt-get install -y debian-archive-keyring)`;
  return undefined;
}

/**
 * Why the apt test hosts (overlay clones of the Debian base with a local repository) cannot be
 * made here, or undefined when they can: the chroot prerequisites, overlayfs, dpkg-dev's tools
 * and flock (which serialises the base's build between parallel test files); with `suite`, also
 * a debootstrap that can build that release (missingDebootstrapSuite).
 */
export async function missingAptHostPrerequisites(suite?: DebianSuite): Promise<string | undefined> {
  const chroot = await missingChrootPrerequisites();
  if (chroot !== undefined) return chroot;
  if (suite !== undefined) {
    const debootstrap = missingDebootstrapSuite(suite);
    if (debootstrap !== undefined) return debootstrap;
  }
  const missing: string[] = [];
  for (const program of ['dpkg-deb', 'dpkg-scanpackages', 'flock']) if (!(await which(program))) missing.push(program);
  if (missing.length > 0) return `${missing.join(', ')} on PATH (Debian: apt-get install -y dpkg-dev util-linux)`;
  const filesystems = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  if (!/\toverlay$/m.test(filesystems)) return 'overlayfs in the kernel (modprobe overlay)';
  return undefined;
}

/**
 * Why the RPM test hosts (apt test hosts with dnf or zypper from Debian, and a local repository
 * built with rpmbuild and createrepo_c) cannot be made here, or undefined when they can.
 */
export async function missingRpmHostPrerequisites(): Promise<string | undefined> {
  const apt = await missingAptHostPrerequisites();
  if (apt !== undefined) return apt;
  const missing: string[] = [];
  for (const program of ['rpmbuild', 'createrepo_c']) if (!(await which(program))) missing.push(program);
  return missing.length > 0 ? `${missing.join(', ')} on PATH (Debian: apt-get install -y rpm createrepo-c)` : undefined;
}
