import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

/** Tables written only by the findings module. */
export interface FindingsTables {
  findings_findings: {
    id: Generated<string>;
    host_id: string;
    advisory_id: string;
    ecosystem: string;
    package: string;
    installed: string;
    fixed: string | null;
    type: string;
    severity: string | null;
    cvss: number | null;
    kev: boolean;
    epss: number | null;
    priority: string;
    reasons: ColumnType<string[], string, string>;
    aliases: ColumnType<string[], string, string>;
    summary: string;
    /** The advisory's publication date; null when unknown (or stored before migration 0008). */
    published: Timestamp | null;
    state: 'open' | 'fixed';
    first_seen: Timestamp;
    fixed_at: Timestamp | null;
    updated_at: Timestamp;
  };
}
