import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

/** Tables written only by the findings module. */
export interface FindingsTables {
  /** What is shown about a finding, once per distinct content (shared by hosts); never changed. */
  findings_details: {
    /** A digest of every other column (`detailKeyOf`). */
    id: string;
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
    /** The advisory's publication date; null when unknown. */
    published: Timestamp | null;
  };
  /** Each host's findings: identity, current detail and lifecycle. */
  findings_states: {
    id: Generated<string>;
    host_id: string;
    /** A digest of (advisory, ecosystem, package): the finding, whatever its detail now. */
    key: string;
    detail_id: string;
    state: 'open' | 'fixed';
    first_seen: Timestamp;
    fixed_at: Timestamp | null;
    updated_at: Timestamp;
  };
}
