/** Alpine (and Wolfi) packages, from apk's database under the root. */
import { parseApkInstalled } from '@patchwise/core';
import type { CollectedPackages } from './collected-packages.js';
import { distroPackage } from './distro-package.js';
import { requirePackages } from './nonempty-database.js';
import type { RootedFs } from './rooted-fs.js';

export const APK_INSTALLED = '/lib/apk/db/installed';
export const MAX_APK_DB_BYTES = 256 * 1024 * 1024;

/**
 * Reads `<root>/lib/apk/db/installed` with core's reader (`parseApkInstalled`): name, version,
 * arch, and origin as the source name (OSV's Alpine records name origins). Returns undefined when
 * the root has no apk database; a malformed one throws PW_INPUT_MALFORMED naming file and line,
 * one listing no package (a 0-byte file) PW_INPUT_INVALID naming the file.
 */
export async function collectApkPackages(fs: RootedFs): Promise<CollectedPackages | undefined> {
  const text = await fs.readText(APK_INSTALLED, MAX_APK_DB_BYTES);
  return text === undefined ? undefined : apkPackagesFromText(text, fs.display(APK_INSTALLED));
}

/** The packages of an apk `installed` database's text (read here, or over SSH); `source` names it in errors. */
export function apkPackagesFromText(text: string, source: string): CollectedPackages {
  const { packages, skipped } = parseApkInstalled(text, source);
  return requirePackages({ packages: packages.map(distroPackage), warnings: [], skipped, complete: true }, source);
}
