/**
 * A Debian `debootstrap --variant=minbase` tree, built once per machine and cached: building
 * costs about a minute and a download, copying it (see chroot-clone.ts) costs milliseconds.
 *
 * The cache entry is named by a key over everything that decides its content (suite, variant,
 * mirror, architecture, debootstrap's version, and RECIPE for what this file does afterwards), so
 * a tree made another way is never reused. A tree is built in a temporary directory beside its
 * final place and renamed there only when complete, so an interrupted build is never mistaken
 * for a cached one; leftovers of builds whose process has died are removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from './exec-file.js';
import { withFileLock } from './file-lock.js';
import { removeTree } from './mounts.js';

/** Bump when the steps after debootstrap change, so existing caches are rebuilt. */
const RECIPE = 1;
const MANIFEST = 'manifest.json';

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

interface Manifest {
  readonly key: string;
  readonly recipe: Record<string, string | number>;
  readonly builtAt: string;
  readonly buildSeconds: number;
}

/** The cached minbase tree for `suite`, building it first when there is none (or only a partial one). */
export async function ensureMinbaseChroot(options: MinbaseChrootOptions = {}): Promise<MinbaseChroot> {
  const suite = options.suite ?? 'bookworm';
  const mirror = options.mirror ?? process.env.PATCHWISE_TEST_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
  const log = options.log ?? (() => undefined);
  const base = join(options.cacheDir ?? process.env.PATCHWISE_TEST_CHROOT_CACHE ?? '/var/cache/patchwise-test', `${suite}-minbase`);
  const recipe = {
    recipe: RECIPE,
    suite,
    variant: 'minbase',
    mirror,
    arch: (await exec('dpkg', ['--print-architecture'])).stdout.trim(),
    debootstrap: (await exec('debootstrap', ['--version'])).stdout.trim(),
  };
  const key = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);

  mkdirSync(base, { recursive: true, mode: 0o755 });
  // Test files run in parallel processes: the first builds, the others wait and reuse its tree.
  return withFileLock(join(base, '.lock'), () => ensureEntry(base, key, recipe, suite, mirror, log));
}

async function ensureEntry(base: string, key: string, recipe: Record<string, string | number>, suite: string, mirror: string, log: (line: string) => void): Promise<MinbaseChroot> {
  const entry = join(base, key);
  const rootfs = join(entry, 'rootfs');
  await removeAbandonedBuilds(base);
  if (existsSync(entry)) {
    if (isComplete(entry, key)) return { rootfs, key, built: false, buildSeconds: undefined };
    // Renames make entries atomic, so this is a tree someone damaged by hand: start over.
    log(`${entry} is incomplete; rebuilding it`);
    await removeTree(entry);
  }

  // `.building-<pid>-…`: the pid lets a later run tell an abandoned build from a running one.
  const building = join(base, `.building-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(building);
  const started = Date.now();
  try {
    log(`building a ${suite} minbase chroot from ${mirror} into ${entry} (once per machine; about a minute)`);
    await exec('debootstrap', ['--variant=minbase', suite, join(building, 'rootfs'), mirror], { timeoutMs: 15 * 60_000 });
    // The downloaded .debs are a third of the tree and no test needs them.
    await exec('chroot', [join(building, 'rootfs'), 'apt-get', 'clean']);
    const buildSeconds = Math.round((Date.now() - started) / 1000);
    const manifest: Manifest = { key, recipe, builtAt: new Date().toISOString(), buildSeconds };
    writeFileSync(join(building, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      renameSync(building, entry);
    } catch (err) {
      // Another run finished the same build first: use its tree, drop ours.
      if (!isComplete(entry, key)) throw err;
      await removeTree(building);
      return { rootfs, key, built: false, buildSeconds: undefined };
    }
    log(`built ${entry} in ${buildSeconds} s`);
    return { rootfs, key, built: true, buildSeconds };
  } catch (err) {
    await removeTree(building);
    throw err;
  }
}

function isComplete(entry: string, key: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(entry, MANIFEST), 'utf8')) as Partial<Manifest>;
    return manifest.key === key && existsSync(join(entry, 'rootfs/var/lib/dpkg/status')) && existsSync(join(entry, 'rootfs/etc/os-release'));
  } catch {
    return false;
  }
}

/** Removes `.building-<pid>-…` directories whose process is gone (killed mid-build). */
async function removeAbandonedBuilds(base: string): Promise<void> {
  for (const name of readdirSync(base)) {
    const m = /^\.building-(\d+)-[0-9a-f]+$/.exec(name);
    if (m && !processAlive(Number(m[1]))) await removeTree(join(base, name));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as { code?: string }).code === 'EPERM';
  }
}
