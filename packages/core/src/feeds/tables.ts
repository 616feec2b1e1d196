import type { ColumnType } from 'kysely';

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
  };
  feeds_documents: {
    kind: string;
    content: string;
    digest: string;
    record_count: number;
    imported_at: Timestamp;
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
    record_count: number | null;
  };
}
