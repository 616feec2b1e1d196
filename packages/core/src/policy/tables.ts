import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

/** Tables written only by the policy module. */
export interface PolicyTables {
  policy_groups: {
    name: string;
    description: string;
    selector: ColumnType<unknown, string, string>;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
}
