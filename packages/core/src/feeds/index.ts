/**
 * Feeds: advisory records (OSV) and enrichment documents (KEV, EPSS, NVD) as imported or synced,
 * with the state of each configured source. Nothing already held is removed by a failed import.
 */
export { readFeedBatch, sha256 } from './feed-batch.js';
export { isFeedDocumentName, listFeedFiles } from './feed-files.js';
export type { FeedFileList } from './feed-files.js';
export type { EnrichmentDocument, FeedBatch, NvdRecordInput, OsvRecordInput } from './feed-batch.js';
export { FeedStore } from './feed-store.js';
export type { DocumentOutcome, FeedChanges, FeedOrigin, FeedRemovals, FeedSource, FeedStatus, NvdChanges, RecordChanges, SyncOutcome } from './feed-store.js';
export { compareEditions, storedEdition } from './document-edition.js';
export type { DocumentEdition, DocumentKeptOut, KeptOutReason } from './document-edition.js';
export type { FeedsTables } from './tables.js';
export { FeedHttpError, fetchFeed, parseFeedUrl, parseSha256List, DEFAULT_FEED_MAX_BYTES, DEFAULT_FEED_TIMEOUT_MS } from './fetch-feed.js';
export type { FetchFeedOptions, FetchFeedRequest, FetchFeedResult } from './fetch-feed.js';
export { claimFeedSource } from './claim-feed-source.js';
export { NVD_API_PATH, NVD_MAX_PAGE_SIZE, NVD_MAX_WINDOW_MS, NVD_OVERLAP_MS, isNvdApiUrl, nvdDate, nvdPageUrl, nvdSyncWindows, readNvdPageHeader } from './nvd-api.js';
export type { NvdPageHeader, NvdWindow } from './nvd-api.js';
export { NVD_KEYED_PACE, NVD_PUBLIC_PACE, RequestPacer } from './request-pacer.js';
export type { PaceLimits, Sleeper } from './request-pacer.js';
