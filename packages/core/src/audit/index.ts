/**
 * Audit: every state change by a person, an agent or the system, as an append-only event
 * chained by SHA-256 over RFC 8785 canonical JSON, with checkpoints signed by the server's
 * Ed25519 key; verification names the first event that was edited, deleted or moved.
 */
export { GENESIS_HASH, auditDigest, canonicalJson, eventHash } from './audit-hash.js';
export type { AuditActor, AuditEvent, AuditEventInput } from './audit-hash.js';
export { AuditStore } from './audit-store.js';
export type { AuditSigner, AuditVerdict } from './audit-store.js';
export type { AuditTables } from './tables.js';
