/**
 * Python distributions installed system-wide, found the way `importlib.metadata` finds them: a
 * `*.dist-info` directory (wheels, pip) holding METADATA, or a `*.egg-info` directory holding
 * PKG-INFO or an `*.egg-info` file that is itself PKG-INFO (distutils, many Debian python3-*
 * packages), in the interpreter's site-packages or, on Debian, dist-packages.
 */
import { isPatchwiseError } from '@patchwise/core';
import type { SkippedCount } from '@patchwise/core';
import type { CollectedPackages } from './collected-packages.js';
import type { InventoryPackage } from './inventory-document.js';
import { parsePythonMetadata } from './parse-python-metadata.js';

/**
 * What the Python collector needs of a filesystem: RootedFs for a local root, or the remote
 * reader of collectRemoteInventory over SSH.
 */
export interface SiteFs {
  /** Entries of a directory (a symlink is not a directory), or undefined when it is not one. */
  listDir(rel: string): Promise<readonly { readonly name: string; isDirectory(): boolean }[] | undefined>;
  /** The path with symlinks resolved, as the root sees it, or undefined when it does not exist. */
  resolve(rel: string): Promise<{ readonly rootPath: string } | undefined>;
  readText(rel: string, maxBytes: number): Promise<string | undefined>;
  display(rel: string): string;
}

/**
 * Which of the given distribution paths (`<site dir>/<name>.dist-info` or `.egg-info`, as the
 * root sees them) the system package manager installed, and what it could not tell.
 */
export type SystemOwners = (paths: readonly string[]) => Promise<{ readonly owned: ReadonlySet<string>; readonly warnings: readonly string[] }>;

/** Prefixes whose `python3*` directories are searched (lib64: Red Hat family and SUSE). */
const PREFIXES = ['/usr/lib', '/usr/local/lib', '/usr/lib64', '/usr/local/lib64'];
/** `python3` (Debian's version-independent dir) and `python3.11`; not `python3.11-config` and the like. */
const PYTHON_DIR = /^python3(?:\.\d+)?$/;
const SITE_DIRS = ['site-packages', 'dist-packages'];
/** METADATA embeds the long description; a few MB is generous, unbounded is not. */
const MAX_METADATA_BYTES = 8 * 1024 * 1024;
/** Metadata files read at once: round trips overlap over SSH, and a local root opens few files at a time. */
const PARALLEL_READS = 8;

/**
 * Lists the Python distributions under the root's system site directories, as ecosystem `PyPI`
 * entries with Name and Version as written. A distribution without Name or Version, or whose
 * metadata cannot be read (missing, oversized, a symlink out of the root), is skipped with a
 * warning naming the file; so is a site directory that cannot be reached (a symlink out of the
 * root, an unreadable directory), so the other packages are still sent. A site directory reached
 * through two paths (a lib64 → lib symlink) is read once. Returns undefined when the root has no
 * such directory. With `owners`, the distributions the system package manager installed are left
 * out and counted in `skipped` (pip-installed ones, e.g. under /usr/local, stay).
 */
export async function collectPythonPackages(fs: SiteFs, owners?: SystemOwners): Promise<CollectedPackages | undefined> {
  const warnings: string[] = [];
  const siteDirs = await findSiteDirs(fs, warnings);
  if (siteDirs.length === 0) return warnings.length === 0 ? undefined : { packages: [], warnings, skipped: [], complete: true };
  let files: { dist: string; primary: string; fallback?: string }[] = [];
  for (const dir of siteDirs) {
    const entries = (await warnOnError(() => fs.listDir(dir), warnings, 'Python site directory skipped')) ?? [];
    for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const file = metadataFile(dir, entry.name, entry.isDirectory());
      if (file !== undefined) files.push(file);
    }
  }
  // A distribution the system package manager installed is the distribution's package (Debian's
  // python3-urllib3 1.26.12-1+deb12u4, with backported fixes), already reported and matched as
  // such; reported again at its upstream version it would carry the fixed PyPI advisories.
  const skipped: SkippedCount[] = [];
  if (owners && files.length > 0) {
    const answer = await warnOnError(() => owners(files.map((f) => f.dist)), warnings, 'the Python distributions the system package manager installed may be reported as PyPI packages');
    const owned = answer?.owned ?? new Set<string>();
    warnings.push(...(answer?.warnings ?? []));
    const before = files.length;
    files = files.filter((f) => !owned.has(f.dist));
    if (files.length < before) skipped.push({ reason: 'Python distribution installed by the system package manager', count: before - files.length });
  }
  // Read a few at a time, reported in listing order.
  const results: ({ package: InventoryPackage } | { warning: string })[] = [];
  for (let i = 0; i < files.length; i += PARALLEL_READS) results.push(...(await Promise.all(files.slice(i, i + PARALLEL_READS).map((f) => readDistribution(fs, f)))));
  const packages = results.flatMap((r) => ('package' in r ? [r.package] : []));
  warnings.push(...results.flatMap((r) => ('warning' in r ? [r.warning] : [])));
  return { packages, warnings, skipped, complete: true };
}

/**
 * `read()`'s result, or undefined with a warning when it fails with a PatchwiseError (a symlink out
 * of the root, a directory that cannot be read): a Python problem must not keep the distribution
 * packages from being sent.
 */
async function warnOnError<T>(read: () => Promise<T>, warnings: string[], consequence: string): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (!isPatchwiseError(err)) throw err;
    warnings.push(`${err.message}; ${consequence}`);
    return undefined;
  }
}

/** One distribution's name and version, or why it is skipped. */
async function readDistribution(fs: SiteFs, file: { primary: string; fallback?: string }): Promise<{ package: InventoryPackage } | { warning: string }> {
  try {
    const text = (await fs.readText(file.primary, MAX_METADATA_BYTES)) ?? (file.fallback ? await fs.readText(file.fallback, MAX_METADATA_BYTES) : undefined);
    const shown = fs.display(file.primary);
    if (text === undefined) return { warning: `${shown}: missing; Python package skipped` };
    const { name, version } = parsePythonMetadata(text);
    if (name === undefined) return { warning: `${shown}: no Name header; Python package skipped` };
    if (version === undefined) return { warning: `${shown}: ${name} has no Version header; Python package skipped` };
    return { package: { ecosystem: 'PyPI', name, version } };
  } catch (err) {
    // One unreadable package must not hide the others; the warning says which and why.
    if (!isPatchwiseError(err)) throw err;
    return { warning: `${err.message}; Python package skipped` };
  }
}

/**
 * The site directories that exist, as resolved root paths, each once, in the order of PREFIXES,
 * then version directory, then SITE_DIRS. The look-ups are independent, so they are asked at once.
 */
async function findSiteDirs(fs: SiteFs, warnings: string[]): Promise<string[]> {
  const listings = await Promise.all(PREFIXES.map((prefix) => warnOnError(() => fs.listDir(prefix), warnings, 'Python directories under it skipped')));
  const candidates = PREFIXES.flatMap((prefix, i) =>
    (listings[i] ?? [])
      .map((e) => e.name)
      .filter((n) => PYTHON_DIR.test(n))
      .sort()
      .flatMap((name) => SITE_DIRS.map((site) => `${prefix}/${name}/${site}`)),
  );
  const found = await Promise.all(
    candidates.map((candidate) =>
      warnOnError(
        async () => {
          const resolved = await fs.resolve(candidate);
          return resolved && (await fs.listDir(resolved.rootPath)) !== undefined ? resolved.rootPath : undefined;
        },
        warnings,
        'Python site directory skipped',
      ),
    ),
  );
  return [...new Set(found.filter((dir): dir is string => dir !== undefined))];
}

/** The metadata file of a site-directory entry, or undefined when the entry is not a distribution. */
function metadataFile(dir: string, entry: string, isDirectory: boolean): { dist: string; primary: string; fallback?: string } | undefined {
  const dist = `${dir}/${entry}`;
  if (entry.endsWith('.dist-info')) return { dist, primary: `${dist}/METADATA` };
  // An .egg-info is a directory with PKG-INFO, or (distutils) a file holding PKG-INFO itself; a
  // symlink could be either, so it gets both tries.
  if (entry.endsWith('.egg-info')) {
    return isDirectory ? { dist, primary: `${dist}/PKG-INFO` } : { dist, primary: `${dist}/PKG-INFO`, fallback: dist };
  }
  return undefined;
}
