import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, never>;

/** Tables written only by the patchsets module; rows are never updated (a trigger refuses it). */
export interface PatchSetsTables {
  patchsets_sets: {
    number: Generated<number>;
    name: string;
    description: string;
    source: string;
    targets: Json<{ ecosystem: string; package: string; version: string }[]>;
    fixes: Json<{ advisory: string; ecosystem: string; package: string; priority: string; hosts: number }[]>;
    created_at: ColumnType<Date, Date, never>;
    created_by: string;
    created_by_name: string | null;
  };
}
