/**
 * Debian-family packages, from dpkg's own database under the root: `status`, the journal dpkg
 * has not folded into it yet (`updates/NNNN`), and the per-package files distroless images keep
 * instead of a status file (`status.d/<package>`).
 */
import { dpkgPackagesOf, dpkgUpdateNames, isPatchwiseError, parseDpkgStanzas, replayDpkgUpdates } from '@patchwise/core';
import type { SkippedCount } from '@patchwise/core';
import type { CollectedPackages } from './collected-packages.js';
import { distroPackage } from './distro-package.js';
import { requirePackages } from './nonempty-database.js';
import type { SystemOwners } from './python-packages.js';

export const DPKG_STATUS = '/var/lib/dpkg/status';
export const DPKG_UPDATES = '/var/lib/dpkg/updates';
export const DPKG_STATUS_D = '/var/lib/dpkg/status.d';
/** A large desktop has ~5,000 packages in ~15 MB; this leaves room without reading anything unbounded. */
export const MAX_STATUS_BYTES = 256 * 1024 * 1024;

/** What the dpkg reader needs of a filesystem: RootedFs locally, the remote reader over SSH. */
export interface DpkgFs {
  /** A file's whole text, or undefined when it does not exist. */
  readText(rel: string, maxBytes: number): Promise<string | undefined>;
  /** Entries of a directory, or undefined when it is not one. */
  listDir(rel: string): Promise<readonly { readonly name: string; isDirectory(): boolean }[] | undefined>;
  display(rel: string): string;
}

/**
 * Reads the dpkg database under the root with core's reader (the scanner's, so agent and file
 * uploads agree on a status file): packages whose files are on disk (core's DPKG_ON_DISK_STATES:
 * `installed`, held and to-be-removed ones included, and the states an interrupted run leaves),
 * `Source: name (version)` mapping; `config-files` and `not-installed` counted in `skipped`.
 *
 * - `updates/NNNN` (dpkg's journal of an unfinished run) is applied over `status` in numeric
 *   order, each stanza replacing its package's record, as dpkg-query does.
 * - `status.d/<package>` files (distroless images: one stanza set each, usually without a Status
 *   field, since only installed packages are written) are read as installed packages;
 *   `<package>.md5sums` files beside them are checksums, not stanzas.
 *
 * Returns undefined when the root has none of these. Throws PW_INPUT_MALFORMED naming the file
 * and line for a malformed file, and PW_INPUT_INVALID naming the database when it exists but
 * lists no package on disk: sending a partial or empty list would make the server close findings.
 */
export async function collectDpkgPackages(fs: DpkgFs): Promise<CollectedPackages | undefined> {
  const [statusText, updateEntries, statusDEntries] = await Promise.all([
    fs.readText(DPKG_STATUS, MAX_STATUS_BYTES),
    fs.listDir(DPKG_UPDATES),
    fs.listDir(DPKG_STATUS_D),
  ]);
  const updateFiles = dpkgUpdateNames(files(updateEntries)).map((n) => `${DPKG_UPDATES}/${n}`);
  const statusDFiles = files(statusDEntries)
    .filter((n) => !n.endsWith('.md5sums') && !n.startsWith('.'))
    .sort()
    .map((n) => `${DPKG_STATUS_D}/${n}`);
  if (statusText === undefined && statusDFiles.length === 0) return undefined;

  const read = (file: string) => fs.readText(file, MAX_STATUS_BYTES).then((text) => parseDpkgStanzas(text ?? '', fs.display(file)));
  const updates = await Promise.all(updateFiles.map(read));
  const main = dpkgPackagesOf(replayDpkgUpdates(parseDpkgStanzas(statusText ?? '', fs.display(DPKG_STATUS)), updates));
  const distroless = dpkgPackagesOf((await Promise.all(statusDFiles.map(read))).flat(), { assumeInstalled: true });

  const where = [statusText === undefined ? undefined : DPKG_STATUS, statusDFiles.length > 0 ? `${DPKG_STATUS_D}/` : undefined, updateFiles.length > 0 ? `${DPKG_UPDATES}/` : undefined]
    .filter((f): f is string => f !== undefined)
    .map((f) => fs.display(f))
    .join(' + ');
  return requirePackages(
    {
      packages: [...main.packages, ...distroless.packages].map(distroPackage),
      warnings: updateFiles.length > 0 ? [`${fs.display(DPKG_UPDATES)}: ${updateFiles.length} journal entries of an unfinished dpkg run applied over the status file`] : [],
      skipped: mergeSkipped([...main.skipped, ...distroless.skipped]),
      complete: true,
    },
    where,
  );
}

function files(entries: readonly { readonly name: string; isDirectory(): boolean }[] | undefined): string[] {
  return (entries ?? []).filter((e) => !e.isDirectory()).map((e) => e.name);
}

function mergeSkipped(skipped: readonly SkippedCount[]): SkippedCount[] {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + s.count);
  return [...counts].map(([reason, count]) => ({ reason, count }));
}

export const DPKG_INFO = '/var/lib/dpkg/info';
/** A `.list` file names one package's files; a few MB for the largest (kernel headers, texlive). */
const MAX_LIST_BYTES = 64 * 1024 * 1024;
/** `.list` files read at once. */
const PARALLEL_LISTS = 16;

/**
 * Which of `paths` (as the root sees them) a dpkg package installed: each package's
 * `/var/lib/dpkg/info/<package>[:<arch>].list` names every file and directory it shipped, one a
 * line, so a Python distribution directory dpkg installed is a line there, exactly. A `.list`
 * that cannot be read is a warning (its files then count as not dpkg's).
 */
export function dpkgOwners(fs: DpkgFs): SystemOwners {
  return async (paths) => {
    const entries = paths.length === 0 ? undefined : await fs.listDir(DPKG_INFO);
    const owned = new Set<string>();
    const warnings: string[] = [];
    if (!entries) return { owned, warnings };
    const wanted = new Set(paths);
    const lists = files(entries)
      .filter((n) => n.endsWith('.list'))
      .sort()
      .map((n) => `${DPKG_INFO}/${n}`);
    for (let i = 0; i < lists.length; i += PARALLEL_LISTS) {
      await Promise.all(
        lists.slice(i, i + PARALLEL_LISTS).map(async (list) => {
          try {
            for (const line of ((await fs.readText(list, MAX_LIST_BYTES)) ?? '').split('\n')) if (wanted.has(line)) owned.add(line);
          } catch (err) {
            if (!isPatchwiseError(err)) throw err;
            warnings.push(`${err.message}; the Python distributions it lists are reported as PyPI packages`);
          }
        }),
      );
    }
    return { owned, warnings };
  };
}
