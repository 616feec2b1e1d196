import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FeedHttpError, PatchwiseError, countNoun, nvdPageUrl, nvdSyncWindows, readNvdPageHeader, type NvdWindow, type RequestPacer, type Sleeper } from '@patchwise/core';

/** Statuses worth asking again after a pause: NVD answers 403 past its rate limit and 503 when busy. */
const RETRY_STATUSES = new Set([403, 429, 500, 502, 503, 504]);
/** Pauses before the retries of one request: four retries, 3.75 minutes in all, then the sync fails. */
export const NVD_RETRY_DELAYS_MS: readonly number[] = [15_000, 30_000, 60_000, 120_000];
/** The longest pause a `Retry-After` may ask for; past it, the next scheduled sync asks again instead. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface NvdApiSyncDeps {
  readonly clock: () => Date;
  /** Spaces requests by NVD's rate limits; shared by the sources using the same API and key. */
  readonly pacer: RequestPacer;
  readonly sleep: Sleeper;
  /** Downloads `url` (size-limited, API key header added) to `destination`. */
  readonly fetchPage: (url: string, destination: string) => Promise<void>;
  /** Stores a downloaded page's CVEs; returns how many are held now as it gave them, and the hosts re-assessed. */
  readonly importPage: (file: string) => Promise<{ readonly records: number; readonly hostsReassessed: number }>;
  readonly pageSize: number;
  readonly retryDelaysMs?: readonly number[];
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

export interface NvdApiSyncResult {
  /** When this sync started: the watermark to keep when it is complete (no `error`). */
  readonly startedAt: Date;
  readonly windows: number;
  readonly pages: number;
  /** CVE records of the pages stored, held now as they gave them (new, updated or unchanged). */
  readonly records: number;
  readonly hostsReassessed: number;
  /** Why the sync stopped, naming the page's URL (never the key, which travels in a header). */
  readonly error?: string;
}

/**
 * Syncs one `nvd` source from the NVD CVE API: every page of the whole API when it has no
 * watermark, otherwise every page of each window of at most 120 days since the watermark (less
 * an overlap). Each page is stored as it arrives: the pages of a full load (some 150) are never
 * held in memory together, and what was stored stays valid if a later page fails. That does
 * not move the watermark, so the next sync asks for the same windows again and finds those
 * pages unchanged. A 403/503 (or a dropped connection) is retried after growing pauses; any
 * other failure, or a page that does not read, ends the sync incomplete with the error.
 */
export async function syncNvdApi(source: { readonly url: string; readonly watermark: Date | null }, workDir: string, deps: NvdApiSyncDeps): Promise<NvdApiSyncResult> {
  const startedAt = deps.clock();
  const windows = nvdSyncWindows(source.watermark, startedAt);
  const done = { pages: 0, records: 0, hostsReassessed: 0 };
  const result = (error?: string): NvdApiSyncResult => ({ startedAt, windows: windows.length, ...done, ...(error !== undefined ? { error } : {}) });
  let url = source.url;
  let file = '';
  try {
    for (const window of windows) {
      for (let startIndex = 0; ; ) {
        url = nvdPageUrl(source.url, window, startIndex, deps.pageSize);
        file = join(workDir, `nvd-page-${done.pages}.json`);
        try {
          await fetchWithRetries(url, file, deps);
          const page = readNvdPageHeader(await readFile(file, 'utf8'), startIndex, url);
          if (page.count > 0) {
            const stored = await deps.importPage(file);
            done.records += stored.records;
            done.hostsReassessed += stored.hostsReassessed;
          }
          done.pages++;
          startIndex += page.count;
          if (startIndex >= page.totalResults) break;
        } finally {
          await rm(file, { force: true });
        }
      }
      deps.log?.(`${describe(window)}: done (${countNoun(done.pages, 'page')} so far)`);
    }
    return result();
  } catch (err) {
    const message = err instanceof PatchwiseError ? err.message : `unexpected error: ${(err as Error).message}`;
    const kept = done.pages === 0 ? 'nothing stored' : `the ${countNoun(done.pages, 'page')} before it stored (${countNoun(done.records, 'CVE record')})`;
    // The reader names the staged file; the page's URL is what an operator can look at.
    return result(`${file ? message.replaceAll(file, url) : message}; ${kept}; the next sync asks again from the last complete one`);
  }
}

async function fetchWithRetries(url: string, file: string, deps: NvdApiSyncDeps): Promise<void> {
  const delays = deps.retryDelaysMs ?? NVD_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    await deps.pacer.acquire(deps.signal);
    try {
      await deps.fetchPage(url, file);
      return;
    } catch (err) {
      const planned = delays[attempt];
      if (planned === undefined || !retryable(err) || deps.signal?.aborted) {
        if (attempt > 0 && err instanceof PatchwiseError) throw new PatchwiseError(err.code, `${err.message} (after ${countNoun(attempt, 'retry', 'retries')})`, { cause: err });
        throw err;
      }
      // The server's own Retry-After, when it asks for longer than the planned pause.
      const asked = err instanceof FeedHttpError ? retryAfterMs(err.retryAfter, deps.clock()) : undefined;
      if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) {
        const retries = attempt > 0 ? ` (after ${countNoun(attempt, 'retry', 'retries')})` : '';
        const message = `${(err as Error).message}${retries}, asking to wait ${Math.round(asked / 1000)}s (Retry-After), longer than a sync waits (${MAX_RETRY_AFTER_MS / 1000}s)`;
        throw new PatchwiseError('PW_INPUT_UNREADABLE', message, { cause: err });
      }
      const delay = Math.max(planned, asked ?? 0);
      const why = asked !== undefined && asked > planned ? ' (as its Retry-After asked)' : '';
      deps.log?.(`${(err as Error).message}; asking again in ${Math.round(delay / 1000)}s${why}`);
      await deps.sleep(delay, deps.signal);
    }
  }
}

/**
 * How long an answer's `Retry-After` asks to wait (RFC 9110: whole seconds, or an HTTP date),
 * or undefined when there is none or it does not read; a date in the past asks for no wait.
 */
function retryAfterMs(header: string | null, now: Date): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** An HTTP answer NVD gives when busy or rate-limiting, or a connection that failed on the way (fetchFeed keeps the cause). */
function retryable(err: unknown): boolean {
  if (err instanceof FeedHttpError) return RETRY_STATUSES.has(err.status);
  return err instanceof PatchwiseError && err.code === 'PW_INPUT_UNREADABLE' && err.cause !== undefined;
}

function describe(window: NvdWindow): string {
  return window === null ? 'NVD full load' : `NVD CVEs modified ${window.start.toISOString()} to ${window.end.toISOString()}`;
}
