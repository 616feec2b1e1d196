/** Debian-family packages, from dpkg's own database under the root. */
import { parseDpkgStatus } from '@patchwise/core';
import type { CollectedPackages } from './collected-packages.js';
import { distroPackage } from './distro-package.js';
import type { RootedFs } from './rooted-fs.js';

export const DPKG_STATUS = '/var/lib/dpkg/status';
/** A large desktop has ~5,000 packages in ~15 MB; this leaves room without reading anything unbounded. */
export const MAX_STATUS_BYTES = 256 * 1024 * 1024;

/**
 * Reads `<root>/var/lib/dpkg/status` with core's reader (`parseDpkgStatus`, the same one the
 * scanner uses, so agent and file uploads agree): packages whose state is `installed`, including
 * held (`hold ok installed`) and to-be-removed (`deinstall ok installed`) ones, which are still on
 * disk; `Source: name (version)` mapping; other states counted in `skipped`.
 * Returns undefined when the root has no dpkg database. A malformed file throws (PW_INPUT_MALFORMED
 * naming the file and line): sending a partial list would make the server close findings.
 */
export async function collectDpkgPackages(fs: RootedFs): Promise<CollectedPackages | undefined> {
  const text = await fs.readText(DPKG_STATUS, MAX_STATUS_BYTES);
  return text === undefined ? undefined : dpkgPackagesFromText(text, fs.display(DPKG_STATUS));
}

/** The packages of a dpkg status file's text (read here, or over SSH); `source` names it in errors. */
export function dpkgPackagesFromText(text: string, source: string): CollectedPackages {
  const { packages, skipped } = parseDpkgStatus(text, source);
  return { packages: packages.map(distroPackage), warnings: [], skipped, complete: true };
}
