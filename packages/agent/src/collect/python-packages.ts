/**
 * Python distributions installed system-wide, found the way `importlib.metadata` finds them: a
 * `*.dist-info` directory (wheels, pip) holding METADATA, or a `*.egg-info` directory holding
 * PKG-INFO or an `*.egg-info` file that is itself PKG-INFO (distutils, many Debian python3-*
 * packages), in the interpreter's site-packages or, on Debian, dist-packages.
 */
import { isPatchwiseError } from '@patchwise/core';
import type { CollectedPackages } from './collected-packages.js';
import type { InventoryPackage } from './inventory-document.js';
import { parsePythonMetadata } from './parse-python-metadata.js';
import type { RootedFs } from './rooted-fs.js';

/** Prefixes whose `python3*` directories are searched (lib64: Red Hat family and SUSE). */
const PREFIXES = ['/usr/lib', '/usr/local/lib', '/usr/lib64', '/usr/local/lib64'];
/** `python3` (Debian's version-independent dir) and `python3.11`; not `python3.11-config` and the like. */
const PYTHON_DIR = /^python3(?:\.\d+)?$/;
const SITE_DIRS = ['site-packages', 'dist-packages'];
/** METADATA embeds the long description; a few MB is generous, unbounded is not. */
const MAX_METADATA_BYTES = 8 * 1024 * 1024;

/**
 * Lists the Python distributions under the root's system site directories, as ecosystem `PyPI`
 * entries with Name and Version as written. A distribution without Name or Version, or whose
 * metadata cannot be read (missing, oversized, a symlink out of the root), is skipped with a
 * warning naming the file. A site directory reached through two paths (a lib64 → lib symlink) is
 * read once. Returns undefined when the root has no such directory.
 */
export async function collectPythonPackages(fs: RootedFs): Promise<CollectedPackages | undefined> {
  const siteDirs = await findSiteDirs(fs);
  if (siteDirs.length === 0) return undefined;
  const packages: InventoryPackage[] = [];
  const warnings: string[] = [];
  for (const dir of siteDirs) {
    const entries = (await fs.listDir(dir)) ?? [];
    for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const file = metadataFile(dir, entry.name, entry.isDirectory());
      if (file === undefined) continue;
      try {
        const text = (await fs.readText(file.primary, MAX_METADATA_BYTES)) ?? (file.fallback ? await fs.readText(file.fallback, MAX_METADATA_BYTES) : undefined);
        if (text === undefined) {
          warnings.push(`${fs.display(file.primary)}: missing; Python package skipped`);
          continue;
        }
        const shown = fs.display(file.primary);
        const { name, version } = parsePythonMetadata(text);
        if (name === undefined) warnings.push(`${shown}: no Name header; Python package skipped`);
        else if (version === undefined) warnings.push(`${shown}: ${name} has no Version header; Python package skipped`);
        else packages.push({ ecosystem: 'PyPI', name, version });
      } catch (err) {
        // One unreadable package must not hide the others; the warning says which and why.
        if (!isPatchwiseError(err)) throw err;
        warnings.push(`${err.message}; Python package skipped`);
      }
    }
  }
  return { packages, warnings, skipped: [], complete: true };
}

/** The site directories that exist, as resolved root paths, each once. */
async function findSiteDirs(fs: RootedFs): Promise<string[]> {
  const seen = new Set<string>();
  for (const prefix of PREFIXES) {
    const entries = await fs.listDir(prefix);
    for (const name of (entries ?? []).map((e) => e.name).filter((n) => PYTHON_DIR.test(n)).sort()) {
      for (const site of SITE_DIRS) {
        const resolved = await fs.resolve(`${prefix}/${name}/${site}`);
        if (resolved && (await fs.listDir(resolved.rootPath)) !== undefined) seen.add(resolved.rootPath);
      }
    }
  }
  return [...seen];
}

/** The metadata file of a site-directory entry, or undefined when the entry is not a distribution. */
function metadataFile(dir: string, entry: string, isDirectory: boolean): { primary: string; fallback?: string } | undefined {
  if (entry.endsWith('.dist-info')) return { primary: `${dir}/${entry}/METADATA` };
  // An .egg-info is a directory with PKG-INFO, or (distutils) a file holding PKG-INFO itself; a
  // symlink could be either, so it gets both tries.
  if (entry.endsWith('.egg-info')) {
    return isDirectory ? { primary: `${dir}/${entry}/PKG-INFO` } : { primary: `${dir}/${entry}/PKG-INFO`, fallback: `${dir}/${entry}` };
  }
  return undefined;
}
