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
  /**
   * Each host's findings as readers see them (a view, migration 0033): identity, current
   * detail and lifecycle. The rows of `findings_rows`, and the entries of `findings_sets` no
   * row overrides (open, first seen when the set was stored). Written through those two; a
   * migration that changes their columns creates the view again.
   */
  findings_states: FindingStateColumns;
  /**
   * A host's findings stored one row each: every finding written after its host's first ones,
   * and every change to one of those (taking its set entry's id and overriding it).
   */
  findings_rows: FindingStateColumns;
  /** Each host's first findings, in one row: entry i has id `first_id + i`, key `keys[i]`, detail `details[i]`. */
  findings_sets: {
    host_id: string;
    first_id: string;
    keys: ColumnType<string[], string, string>;
    details: ColumnType<string[], string, string>;
    since: Timestamp;
  };
}

interface FindingStateColumns {
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
}
