/**
 * Collectors: what the agent learns about the host it runs on, or about a mounted filesystem,
 * and the inventory document (with its digest) it sends. This file is the module's only door.
 */
export type { FactName, HostFacts, OsFacts } from './host-facts.js';
export { unreadableFactMessage } from './read-fact.js';
export type { OnUnreadableFact, UnreadableFact } from './read-fact.js';
export { collectFacts, nodeFactsIo } from './collect-facts.js';
export type { CollectFactsOptions, FactsIo } from './collect-facts.js';
export { BOOT_TIME_COMMANDS, bootTimeFrom } from './boot-time.js';
export type { BootTime, CommandOutput } from './boot-time.js';
export { DPKG_REBOOT_PATTERNS, DPKG_UNPACK_TIME_QUERY, dpkgRebootPackagesSince, isDpkgRebootPackage } from './dpkg-reboot-hint.js';
export type { DpkgQueryOptions, DpkgRebootAnswer } from './dpkg-reboot-hint.js';
export { collectPackages } from './collect-packages.js';
export { collectRemoteInventory } from './collect-remote-inventory.js';
export type { RemoteInventory, RemoteInventoryOptions } from './collect-remote-inventory.js';
export type { CollectPackagesOptions } from './collect-packages.js';
export type { CollectedPackages } from './collected-packages.js';
export { buildInventoryDocument } from './inventory-document.js';
export type { BuildInventoryOptions, InventoryDocument, InventoryPackage } from './inventory-document.js';
export { canonicalInventoryJson, inventoryDigest } from './inventory-digest.js';
export { parsePythonMetadata } from './parse-python-metadata.js';
export type { PythonMetadata } from './parse-python-metadata.js';
export { runCommand } from './run-command.js';
export type { RunCommand, RunOptions, RunResult } from './run-command.js';
