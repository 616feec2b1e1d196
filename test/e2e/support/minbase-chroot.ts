/**
 * A Debian `debootstrap --variant=minbase` tree, built once per machine and cached: building
 * costs about a minute and a download, copying it (see chroot-clone.ts) costs milliseconds.
 *
 * The cache entry is named by a key over everything that decides its content (suite, variant,
 * mirror, architecture, debootstrap's version, and RECIPE for what this file does afterwards), so
 * a tree made another way is never reused; cached-tree.ts makes entries atomic and shares them
 * between parallel test files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCachedTree } from './cached-tree.js';
import { exec } from './exec-file.js';

/** Bump when the steps after debootstrap change, so existing caches are rebuilt. */
const RECIPE = 1;

export interface MinbaseChrootOptions {
  /** Where cached trees live; default `$PATCHWISE_TEST_CHROOT_CACHE` or /var/cache/patchwise-test. */
  readonly cacheDir?: string | undefined;
  /** Debian suite; default bookworm. */
  readonly suite?: string | undefined;
  /** Debian mirror; default `$PATCHWISE_TEST_DEBIAN_MIRROR` or http://deb.debian.org/debian. */
  readonly mirror?: string | undefined;
  /** Progress lines (a build takes a minute; say so). */
  readonly log?: ((line: string) => void) | undefined;
}

export interface MinbaseChroot {
  /** The cached tree. Read-only by contract: tests work on clones (cloneChroot), never on it. */
  readonly rootfs: string;
  readonly key: string;
  /** True when this call built it, false when it came from the cache. */
  readonly built: boolean;
  readonly buildSeconds: number | undefined;
}

/** The cached minbase tree for `suite`, building it first when there is none (or only a partial one). */
export async function ensureMinbaseChroot(options: MinbaseChrootOptions = {}): Promise<MinbaseChroot> {
  const suite = options.suite ?? 'bookworm';
  const mirror = options.mirror ?? process.env.PATCHWISE_TEST_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  const log = options.log ?? (() => undefined);
  const recipe = {
    recipe: RECIPE,
    suite,
    variant: 'minbase',
    mirror,
    arch: (await exec('dpkg', ['--print-architecture'])).stdout.trim(),
    debootstrap: (await exec('debootstrap', ['--version'])).stdout.trim(),
  };
  const tree = await ensureCachedTree({
    base: join(chrootCacheDir(options.cacheDir), `${suite}-minbase`),
    recipe,
    log,
    isWhole: (dir) => existsSync(join(dir, 'rootfs/var/lib/dpkg/status')) && existsSync(join(dir, 'rootfs/etc/os-release')),
    build: async (dir) => {
      log(`building a ${suite} minbase chroot from ${mirror} (once per machine; about a minute)`);
      await exec('debootstrap', ['--variant=minbase', suite, join(dir, 'rootfs'), mirror], { timeoutMs: 15 * 60_000 });
      // The downloaded .debs are a third of the tree and no test needs them.
      await exec('chroot', [join(dir, 'rootfs'), 'apt-get', 'clean']);
    },
  });
  return { rootfs: join(tree.dir, 'rootfs'), key: tree.key, built: tree.built, buildSeconds: tree.buildSeconds };
}

/** Where cached trees live: `cacheDir`, else `$PATCHWISE_TEST_CHROOT_CACHE`, else /var/cache/patchwise-test. */
export function chrootCacheDir(cacheDir?: string): string {
  return cacheDir ?? process.env.PATCHWISE_TEST_CHROOT_CACHE ?? '/var/cache/patchwise-test';
}
