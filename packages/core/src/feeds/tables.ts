import type { ColumnType, RawBuilder } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

/** Tables written only by the feeds module. */
export interface FeedsTables {
  feeds_advisories: {
    id: string;
    modified: Timestamp | null;
    source: string;
    digest: string;
    record: ColumnType<unknown, string, string>;
    imported_at: Timestamp;
    /** Change number (feeds_change_seq), taken again on every replacement; strings, as pg returns bigint. */
    seq: ColumnType<string, never, RawBuilder<unknown>>;
  };
  feeds_documents: {
    kind: string;
    content: string;
    digest: string;
    record_count: number;
    /** The source (configured feed or import) that stored this content; null for documents held before migration 0027 and not attributable. */
    source: string | null;
    imported_at: Timestamp;
    seq: ColumnType<string, never, RawBuilder<unknown>>;
  };
  /** NVD CVE records, one per CVE: the one NVD modified last, as Patchwise keeps it (`NvdRecord`). */
  feeds_nvd: {
    cve_id: string;
    /** As NVD writes it (UTC without zone); compared as a date. */
    last_modified: string;
    digest: string;
    record: ColumnType<unknown, string, string>;
    /** The source (configured feed or import) that stored this copy. */
    source: string;
    imported_at: Timestamp;
    seq: ColumnType<string, never, RawBuilder<unknown>>;
  };
  /** What `feeds forget` removed, numbered in the change sequence so following processes drop it too. */
  feeds_removals: {
    seq: ColumnType<string, never, never>;
    what: 'advisory' | 'nvd' | 'document';
    key: string;
  };
  feeds_sources: {
    name: string;
    kind: string;
    url: string;
    sha256_url: string | null;
    interval_seconds: number;
    etag: string | null;
    last_modified: string | null;
    last_attempt_at: Timestamp | null;
    last_success_at: Timestamp | null;
    last_error: string | null;
    /** No longer written or read: `feeds status` counts what each source holds (FeedStore.status). */
    record_count: number | null;
    /**
     * An NVD API source: when its last complete sync started (every page of every window fetched
     * and stored); the next one asks for CVEs modified since. Null: the next sync loads everything.
     */
    watermark: Timestamp | null;
  };
}
