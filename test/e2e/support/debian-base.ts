/**
 * The Debian minbase trees every chroot test of a machine shares, one per suite: each built by
 * debootstrap once (about 25 s with deb.debian.org reachable), under a lock so parallel test
 * files never build it twice nor see it half-built (see minbase-chroot.ts). Read-only by
 * contract: tests work on overlay clones (cloneHost).
 */
import { ensureMinbaseChroot } from './minbase-chroot.js';

/**
 * The Debian releases test hosts are made of: bookworm (Debian 12) for most suites, trixie
 * (Debian 13: apt 3.0, dpkg 1.22, merged /usr) for the suite that checks the agent there.
 */
export type DebianSuite = 'bookworm' | 'trixie';

const bases = new Map<DebianSuite, Promise<string>>();

/** The rootfs of the cached `debootstrap --variant=minbase SUITE` tree (default bookworm); built on first use. */
export function debianBase(suite: DebianSuite = 'bookworm'): Promise<string> {
  let base = bases.get(suite);
  if (!base) {
    base = ensureMinbaseChroot({ suite, log: (line) => console.log(`[debian-base ${suite}] ${line}`) }).then((tree) => tree.rootfs);
    bases.set(suite, base);
  }
  return base;
}
