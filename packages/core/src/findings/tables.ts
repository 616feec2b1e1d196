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
    /** open, fixed or retracted (FindingState; migration 0022 added retracted). */
    state: 'open' | 'fixed' | 'retracted';
    first_seen: Timestamp;
    /** Set only when the host's change closed it (`fixed`). */
    fixed_at: Timestamp | null;
    /**
     * When the row's state or detail last changed. A closed row is not written again until it
     * reopens, so for a `retracted` one this is when it was retracted (no column of its own).
     */
    updated_at: Timestamp;
  };
}
