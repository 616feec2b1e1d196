/**
 * The one Debian bookworm minbase tree every chroot test of a machine shares: built by
 * debootstrap once (about 25 s with deb.debian.org reachable), under a lock so parallel test
 * files never build it twice nor see it half-built (see minbase-chroot.ts). Read-only by
 * contract: tests work on overlay clones (cloneHost).
 */
import { ensureMinbaseChroot } from './minbase-chroot.js';

let base: Promise<string> | undefined;

/** The rootfs of the cached `debootstrap --variant=minbase bookworm` tree; built on first use. */
export function debianBase(): Promise<string> {
  base ??= ensureMinbaseChroot({ log: (line) => console.log(`[debian-base] ${line}`) }).then((tree) => tree.rootfs);
  return base;
}
