/**
 * The Debian base with some more Debian packages installed (dnf, zypper…), as an overlay layer:
 * the upper directory of a clone of the base in which `apt-get install` ran. Built once per
 * machine (a download and a few seconds of dpkg) and cached like the base (cached-tree.ts), under
 * a key over the base's own entry and the sorted package list; pass `layer` to cloneHost's
 * `layers` to get hosts with those packages in milliseconds.
 *
 * One layer per package set, not one image with everything: some sets cannot share a tree
 * (bookworm's dnf-plugins-core declares Breaks: zypper).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCachedTree } from './cached-tree.js';
import { debianBase } from './debian-base.js';
import { exec } from './exec-file.js';
import { chrootCacheDir } from './minbase-chroot.js';
import { removeTree } from './mounts.js';

/** Bump when the steps below change, so existing layers are rebuilt. */
const RECIPE = 1;
const DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

export interface DebianLayer {
  /** The layer's directory (an overlay upper directory): read-only by contract. */
  readonly layer: string;
  readonly key: string;
  readonly built: boolean;
}

const layers = new Map<string, Promise<DebianLayer>>();

/** The cached layer that adds `packages` (and their dependencies, without recommends) to the Debian base. */
export function debianLayer(packages: readonly string[]): Promise<DebianLayer> {
  const sorted = [...new Set(packages)].sort();
  for (const name of sorted) if (!DEBIAN_PACKAGE.test(name)) throw new Error(`debianLayer: ${JSON.stringify(name)} is not a Debian package name`);
  const id = sorted.join(' ');
  let layer = layers.get(id);
  if (!layer) {
    layer = buildLayer(sorted);
    layers.set(id, layer);
  }
  return layer;
}

async function buildLayer(packages: readonly string[]): Promise<DebianLayer> {
  const base = await debianBase();
  const log = (line: string) => console.log(`[debian-layer] ${line}`);
  // The base's path holds its own key, so a rebuilt base gives new layers.
  const recipe = { recipe: RECIPE, base, packages: packages.join(' ') };
  const tree = await ensureCachedTree({
    base: join(chrootCacheDir(), 'layers'),
    recipe,
    log,
    isWhole: (dir) => existsSync(join(dir, 'layer/var/lib/dpkg/status')),
    build: async (dir) => {
      log(`installing ${packages.join(', ')} over ${base} (once per machine)`);
      const upper = join(dir, 'layer');
      const work = join(dir, 'work');
      const root = join(dir, 'root');
      for (const d of [upper, work, root]) mkdirSync(d);
      await exec('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${base},upperdir=${upper},workdir=${work}`, root]);
      try {
        const env = { DEBIAN_FRONTEND: 'noninteractive' };
        await exec('chroot', [root, 'apt-get', 'update'], { env, timeoutMs: 300_000 });
        await exec('chroot', [root, 'apt-get', 'install', '-y', '--no-install-recommends', ...packages], { env, timeoutMs: 15 * 60_000 });
        await exec('chroot', [root, 'apt-get', 'clean']);
      } finally {
        await exec('umount', [root]);
      }
      // Unmounted, the upper directory is exactly the changes: the layer. The rest is scaffolding.
      await removeTree(work);
      await removeTree(root);
    },
  });
  return { layer: join(tree.dir, 'layer'), key: tree.key, built: tree.built };
}
