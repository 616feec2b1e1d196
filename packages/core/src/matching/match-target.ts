import type { InstalledPackage } from '../inventory/index.js';
import { ecosystemInfo } from '../versions/index.js';

/**
 * Name and version that advisories of this package's ecosystem refer to: the source package
 * where the ecosystem's advisories name sources (Debian, Ubuntu, Alpine, Rocky Linux) and the
 * inventory knows it, else the package.
 */
export function matchTarget(pkg: InstalledPackage): { name: string; version: string } {
  return pkg.sourceName && namesSourcePackages(pkg.ecosystem)
    ? { name: pkg.sourceName, version: pkg.sourceVersion ?? pkg.version }
    : { name: pkg.name, version: pkg.version };
}

const SOURCE_NAMING = new Map<string, boolean>();

function namesSourcePackages(ecosystem: string): boolean {
  let answer = SOURCE_NAMING.get(ecosystem);
  if (answer === undefined) {
    try {
      answer = ecosystemInfo(ecosystem).namesSourcePackages;
    } catch {
      answer = false; // an unknown ecosystem fails in matching, with its own error
    }
    SOURCE_NAMING.set(ecosystem, answer);
  }
  return answer;
}
