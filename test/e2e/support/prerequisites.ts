/**
 * What the chroot end-to-end tests need from the machine. On CI (`CI=true`) a missing piece is
 * an error, so the suite fails instead of passing by skipping; elsewhere the suite is skipped
 * and says why.
 */
import { readFile } from 'node:fs/promises';
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
 * Why the apt test hosts (overlay clones of the Debian base with a local repository) cannot be
 * made here, or undefined when they can: the chroot prerequisites, overlayfs, dpkg-dev's tools
 * and flock (which serialises the base's build between parallel test files).
 */
export async function missingAptHostPrerequisites(): Promise<string | undefined> {
  const chroot = await missingChrootPrerequisites();
  if (chroot !== undefined) return chroot;
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
