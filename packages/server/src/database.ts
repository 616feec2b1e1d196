import type { AccessTables, ApprovalsTables, MaintenanceTables, PatchSetsTables, RolloutTables, AuditTables, CmdbTables, FeedsTables, FindingsTables, HostsTables, PolicyTables } from '@patchwise/core';
import type { Kysely } from 'kysely';

/** The server's own table: the public keys it signs with (migration 0028; server-keys.ts). */
export interface ServerKeysTables {
  server_keys: { kind: string; public_key: string; recorded_at: Date };
}

/** Every table of the control plane; each module sees only its own through its store. */
export type Database = AccessTables & ApprovalsTables & MaintenanceTables & PatchSetsTables & RolloutTables & HostsTables & FindingsTables & FeedsTables & CmdbTables & AuditTables & PolicyTables & ServerKeysTables;

/**
 * The same connection (or transaction) typed down to one module's tables. Kysely's type is
 * invariant in its table map, so the narrowing needs a cast; the constraint keeps it honest:
 * only table sets that the whole Database contains are accepted.
 */
export function tablesOf<T>(db: Kysely<Database extends T ? Database : never>): Kysely<T> {
  return db as unknown as Kysely<T>;
}
