import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

/** Tables written only by the policy module. */
export interface PolicyTables {
  /** One row per setting (`sla`): its whole document. */
  policy_settings: {
    key: string;
    value: ColumnType<unknown, string, string>;
    updated_at: Timestamp;
  };
  policy_groups: {
    name: string;
    description: string;
    selector: ColumnType<unknown, string, string>;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  policy_exceptions: {
    id: string;
    host_id: string | null;
    group_name: string | null;
    advisory: string | null;
    package: string | null;
    category: string;
    reason: string;
    owner: string;
    expires_at: Timestamp;
    state: string;
    requested_by: string;
    requested_by_name: string | null;
    decided_by: string | null;
    decided_by_name: string | null;
    decided_at: Timestamp | null;
    revoked_by: string | null;
    revoked_by_name: string | null;
    revoked_at: Timestamp | null;
    comment: string | null;
    created_at: Timestamp;
  };
  policy_baselines: {
    name: string;
    group_name: string | null;
    precedence: number | null;
    /** The whole validated baseline (rules, lists, holds) as JSON. */
    document: ColumnType<unknown, string, string>;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
}
