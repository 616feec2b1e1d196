/**
 * Inventory: what hosts have installed, read from SBOMs, package databases and the agent's own
 * JSON into one shape (HostInventory). docs/inventory-format.md documents the formats.
 */
export type { Distro, HostAttributes, HostInventory, InstalledPackage } from './types.js';
export type { DistroPackage, DistroPackagesResult, InventoryFormat, InventoryParseResult, SkippedCount } from './result.js';
export { isReleaseUnknownError, parseInventory, parseInventoryObject } from './parse-inventory.js';
export type { InventoryParseOptions } from './parse-inventory.js';
export { distroOf, ecosystemForDistro, parseDistroQualifier, parseOsRelease } from './distro.js';
export type { DistroRelease, OsRelease } from './distro.js';
export { normalizeName, normalizePyPIName } from './names.js';
export { CYCLONEDX_SPEC_VERSIONS, MAX_COMPONENT_DEPTH, isCycloneDx, parseCycloneDx } from './cyclonedx.js';
export type { CycloneDxOptions, CycloneDxResult } from './cyclonedx.js';
export { SPDX_VERSIONS, isSpdx3JsonLd, parseSpdx, spdxDocumentOf } from './spdx.js';
export type { SpdxOptions, SpdxResult } from './spdx.js';
export { DPKG_ON_DISK_STATES, dpkgPackagesOf, parseDpkgStanzas, parseDpkgStatus } from './dpkg-status.js';
export type { DpkgStanza } from './dpkg-status.js';
export { dpkgUpdateNames, replayDpkgUpdates } from './dpkg-journal.js';
export { RPM_QA_QUERY_FORMAT, parseRpmQa } from './rpm-qa.js';
export { osSelected, parseOsSelector } from './os-selector.js';
export { productOsId } from './product-os-id.js';
export type { OsIdentity } from './product-os-id.js';
export type { OsSelector } from './os-selector.js';
export { parseOsReleaseText } from './parse-os-release-text.js';
export { parseApkInstalled } from './apk-installed.js';
export {
  PATCHWISE_INVENTORY_FORMAT,
  isPatchwiseInventory,
  parsePatchwiseInventory,
} from './patchwise-json.js';
export { PackageCache, sharedPackage, sharedPackages } from './package-cache.js';
export type { Purl } from './purl.js';
export { InventoryDecoder, InventoryEncoder } from './encoded-inventory.js';
export type { EncodedInventory } from './encoded-inventory.js';
export { InventoryFileReader } from './inventory-file-reader.js';
export type { FileReadResult, InventoryFileReaderOptions } from './inventory-file-reader.js';
export { readInventories, readInventoryFile, readListedInventories } from './read-inventories.js';
export type { InventoryReadEvent, ReadInventoriesOptions } from './read-inventories.js';
