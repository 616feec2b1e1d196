/**
 * A directory built once per machine and cached under a key (the debootstrap base, the Debian
 * layers with a package manager installed): building costs minutes and downloads, reusing it
 * costs nothing.
 *
 * The entry is named by a hash of its recipe (everything that decides its content), so a tree
 * made another way is never reused. It is built in a temporary directory beside its final place
 * and renamed there only when complete, so an interrupted build is never mistaken for a cached
 * one; leftovers of builds whose process has died are removed (unmounting what they left mounted).
 * Parallel test files take a lock: the first builds, the others wait and reuse its tree.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from './file-lock.js';
import { removeTree } from './mounts.js';

const MANIFEST = 'manifest.json';

export type TreeRecipe = Readonly<Record<string, string | number>>;

export interface CachedTreeOptions {
  /** The directory holding the entries of one kind of tree (and their lock). */
  readonly base: string;
  /** Everything that decides the tree's content; its hash names the entry. */
  readonly recipe: TreeRecipe;
  /** Fills `dir` (empty, on the cache's file system); the entry exists only once this returns. */
  readonly build: (dir: string) => Promise<void>;
  /** Whether a finished entry's content is all there (beyond its manifest). */
  readonly isWhole: (dir: string) => boolean;
  /** Progress lines (builds take a minute; say so). */
  readonly log: (line: string) => void;
}

export interface CachedTree {
  /** The entry's directory. Read-only by contract: tests work on overlay clones of what it holds. */
  readonly dir: string;
  readonly key: string;
  /** True when this call built it, false when it came from the cache. */
  readonly built: boolean;
  readonly buildSeconds: number | undefined;
}

interface Manifest {
  readonly key: string;
  readonly recipe: TreeRecipe;
  readonly builtAt: string;
  readonly buildSeconds: number;
}

/** The 16 hex digits naming a recipe's entry. */
export function treeKey(recipe: TreeRecipe): string {
  return createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
}

/** The cached entry of `recipe` under `base`, building it first when there is none (or only a partial one). */
export async function ensureCachedTree(options: CachedTreeOptions): Promise<CachedTree> {
  mkdirSync(options.base, { recursive: true, mode: 0o755 });
  return withFileLock(join(options.base, '.lock'), () => ensureEntry(options));
}

async function ensureEntry({ base, recipe, build, isWhole, log }: CachedTreeOptions): Promise<CachedTree> {
  const key = treeKey(recipe);
  const entry = join(base, key);
  const complete = () => isComplete(entry, key) && isWhole(entry);
  await removeAbandonedBuilds(base);
  if (existsSync(entry)) {
    if (complete()) return { dir: entry, key, built: false, buildSeconds: undefined };
    // Renames make entries atomic, so this is a tree someone damaged by hand: start over.
    log(`${entry} is incomplete; rebuilding it`);
    await removeTree(entry);
  }

  // `.building-<pid>-…`: the pid lets a later run tell an abandoned build from a running one.
  const building = join(base, `.building-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(building);
  const started = Date.now();
  try {
    await build(building);
    const buildSeconds = Math.round((Date.now() - started) / 1000);
    const manifest: Manifest = { key, recipe, builtAt: new Date().toISOString(), buildSeconds };
    writeFileSync(join(building, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      renameSync(building, entry);
    } catch (err) {
      // Another run finished the same build first: use its tree, drop ours.
      if (!complete()) throw err;
      await removeTree(building);
      return { dir: entry, key, built: false, buildSeconds: undefined };
    }
    log(`built ${entry} in ${buildSeconds} s`);
    return { dir: entry, key, built: true, buildSeconds };
  } catch (err) {
    await removeTree(building);
    throw err;
  }
}

function isComplete(entry: string, key: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(entry, MANIFEST), 'utf8')) as Partial<Manifest>).key === key;
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
