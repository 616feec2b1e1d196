import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

/** Tables written only by the audit module; rows are never updated or deleted by Patchwise. */
export interface AuditTables {
  audit_events: {
    seq: ColumnType<string, number, never>;
    at: Timestamp;
    actor_kind: string;
    actor_id: string;
    actor_name: string | null;
    actor_via: string | null;
    action: string;
    target_kind: string;
    target_id: string;
    before_digest: string | null;
    after_digest: string | null;
    details: ColumnType<unknown, string, never>;
    prev_hash: string;
    hash: string;
  };
  audit_checkpoints: {
    seq: ColumnType<string, number, never>;
    hash: string;
    at: Timestamp;
    public_key: string;
    signature: string;
  };
}
