import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

/** Tables written only by the maintenance module. */
export interface MaintenanceTables {
  maintenance_windows: {
    name: string;
    /** The whole validated window as JSON. */
    document: Json<unknown>;
    /** The groups it names, apart, so "which windows name group G" is one indexed query. */
    groups: Json<string[]>;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  maintenance_freezes: {
    name: string;
    document: Json<unknown>;
    groups: Json<string[]>;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
}
