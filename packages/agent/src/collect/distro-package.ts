/** From core's distribution-database shape to an inventory v1 package entry. */
import type { DistroPackage } from '@patchwise/core';
import { cleanPackage } from './inventory-document.js';
import type { InventoryPackage } from './inventory-document.js';

/**
 * A dpkg, rpm or apk package as a v1 entry. `ecosystem` stays out: a distribution package is in
 * the host's ecosystem, which the server derives from `host.os`.
 */
export function distroPackage(p: DistroPackage): InventoryPackage {
  return cleanPackage({ name: p.name, version: p.version, arch: p.arch, sourceName: p.sourceName, sourceVersion: p.sourceVersion });
}
