import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

/** Tables written only by the approvals module. */
export interface ApprovalsTables {
  approvals_policies: {
    environment: string;
    approvals: number;
    approver_roles: Json<string[]>;
    valid_for_hours: number;
    updated_at: Timestamp;
  };
  approvals_changes: {
    id: string;
    kind: string;
    lane: string;
    environment: string;
    group_name: string | null;
    subject_kind: string;
    subject_id: string;
    title: string;
    reason: string;
    requested_by: string;
    requested_by_name: string | null;
    created_at: Timestamp;
    state: string;
    approvals_needed: number;
    approver_roles: Json<string[]>;
    valid_for_hours: number;
    decisions: Json<{ by: { id: string; name: string | null }; decision: 'approve' | 'reject'; comment: string | null; at: string }[]>;
    approved_at: Timestamp | null;
  };
  approvals_signatures: {
    change_id: string;
    key_id: string;
    signed_by: string;
    signed_by_name: string | null;
    statement: Json<Record<string, unknown>>;
    signature: string;
    created_at: Timestamp;
  };
}
