/**
 * Hosts: the managed machines, their reported facts, the attributes people set (tier, owner,
 * environment, exposure, cluster, time zone, tags) and content-addressed inventory snapshots.
 */
export { HostStore, SNAPSHOT_GRACE_MS } from './host-store.js';
export type { HostFilter, HostRecord, HostStatus, NewHost } from './host-store.js';
export { SnapshotBases } from './snapshot-bases.js';
export { EMPTY_ATTRIBUTES, applyAttributePatch, attributePairsToObject, parseAttributePatch } from './host-attributes.js';
export type { HostAttributePatch, HostAttributeValues } from './host-attributes.js';
export type { HostsTables } from './tables.js';
export { AgentlessHostStore } from './agentless-host-store.js';
export type { AgentlessHost, AgentlessScanOutcome } from './agentless-host-store.js';
export { parseHostKeySha256, parseSshTarget } from './ssh-target.js';
export type { SshTarget } from './ssh-target.js';
