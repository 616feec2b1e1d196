import { PatchwiseError } from '../errors/index.js';

/**
 * The NVD CVE API 2.0 (`https://services.nvd.nist.gov/rest/json/cves/2.0`) as an `nvd` source
 * pages through it: which URLs to ask, in which windows, and what a page says about the next.
 * Pure: the caller fetches, paces and stores.
 */

/** The API's path; a URL with it and no query is paged through (any host: NVD, a proxy, a test double). */
export const NVD_API_PATH = '/rest/json/cves/2.0';
/** The most `resultsPerPage` NVD serves. */
export const NVD_MAX_PAGE_SIZE = 2000;
/** NVD refuses a `lastModStartDate`–`lastModEndDate` range longer than 120 days. */
export const NVD_MAX_WINDOW_MS = 120 * 86_400_000;
/**
 * How far before the watermark an incremental sync starts asking. The watermark is this server's
 * clock and `lastModified` NVD's, and NVD's index can trail a change by some minutes; an hour
 * re-reads a few hundred CVEs at most, which are stored as unchanged.
 */
export const NVD_OVERLAP_MS = 3_600_000;

/** A `lastModified` range to ask for; `null` asks for every CVE (a first sync). */
export type NvdWindow = { readonly start: Date; readonly end: Date } | null;

/**
 * Whether a source URL is the API itself, to be paged through, rather than one answer of it (a
 * query with its own parameters, a saved page, a mirror file), which is fetched as given.
 */
export function isNvdApiUrl(url: string): boolean {
  const parsed = new URL(url);
  return (parsed.pathname === NVD_API_PATH || parsed.pathname === `${NVD_API_PATH}/`) && parsed.search === '' && parsed.hash === '';
}

/**
 * The windows a sync asks for: everything when nothing was synced completely yet; otherwise
 * from the watermark less the overlap to `now`, cut into consecutive windows of at most 120
 * days (a server off for a year asks four). A watermark after `now` (a clock set back) asks
 * for the overlap before `now`.
 */
export function nvdSyncWindows(watermark: Date | null, now: Date, overlapMs = NVD_OVERLAP_MS): NvdWindow[] {
  if (watermark === null) return [null];
  const end = now.getTime();
  let start = Math.min(watermark.getTime(), end) - overlapMs;
  const windows: NvdWindow[] = [];
  do {
    const stop = Math.min(start + NVD_MAX_WINDOW_MS, end);
    windows.push({ start: new Date(start), end: new Date(stop) });
    start = stop;
  } while (start < end);
  return windows;
}

/** The URL of one page: `startIndex`, `resultsPerPage` and the window's `lastModStartDate`/`lastModEndDate`. */
export function nvdPageUrl(base: string, window: NvdWindow, startIndex: number, resultsPerPage: number): string {
  const url = new URL(base);
  url.search = '';
  if (window) {
    url.searchParams.set('lastModStartDate', nvdDate(window.start));
    url.searchParams.set('lastModEndDate', nvdDate(window.end));
  }
  url.searchParams.set('resultsPerPage', String(resultsPerPage));
  url.searchParams.set('startIndex', String(startIndex));
  return url.href;
}

/** ISO-8601 with an explicit offset, as NVD documents it (`2026-12-07T12:00:00.000+00:00`; `+` is sent as %2B). */
export function nvdDate(date: Date): string {
  return date.toISOString().replace(/Z$/, '+00:00');
}

/** What a page says about the paging, and how many CVEs it carries. */
export interface NvdPageHeader {
  readonly startIndex: number;
  readonly totalResults: number;
  readonly count: number;
}

/**
 * Reads the paging fields of an API answer (its CVEs are read by the feed reader). Refuses what
 * is not an NVD page, or a page that does not start where it was asked to: paging on from a
 * wrong place would skip CVEs without anyone knowing.
 */
export function readNvdPageHeader(text: string, askedIndex: number, source: string): NvdPageHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PatchwiseError('PW_INPUT_MALFORMED', 'the NVD API answered with something that is not JSON', { input: source });
  }
  const page = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  if (page.format !== 'NVD_CVE' || !Array.isArray(page.vulnerabilities)) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'not an NVD CVE API 2.0 answer (expected format "NVD_CVE" and a vulnerabilities list)', { input: source });
  }
  const { startIndex, totalResults } = page;
  if (!isCount(startIndex) || !isCount(totalResults)) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'the NVD API answer has no startIndex or totalResults count', { input: source });
  }
  if (startIndex !== askedIndex) {
    throw new PatchwiseError('PW_INPUT_INVALID', `the NVD API answered startIndex ${startIndex} to a request for ${askedIndex}`, { input: source });
  }
  const count = page.vulnerabilities.length;
  if (count === 0 && startIndex < totalResults) {
    // Asking again from the same place would loop; from further on would skip CVEs.
    throw new PatchwiseError('PW_INPUT_INVALID', `the NVD API answered no CVEs at startIndex ${startIndex} of totalResults ${totalResults}`, { input: source });
  }
  return { startIndex, totalResults, count };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
