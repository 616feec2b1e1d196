import { describe, expect, it } from 'vitest';
import { NVD_MAX_WINDOW_MS, isNvdApiUrl, nvdPageUrl, nvdSyncWindows, readNvdPageHeader } from './nvd-api.js';
import { NVD_PUBLIC_PACE, RequestPacer } from './request-pacer.js';

const DAY = 86_400_000;
const API = 'https://services.nvd.nist.gov/rest/json/cves/2.0';

describe('NVD CVE API paging', () => {
  it('pages through the API URL itself, and fetches a query, a saved page or a mirror file as given', () => {
    expect(isNvdApiUrl(API)).toBe(true);
    expect(isNvdApiUrl(`${API}/`)).toBe(true);
    expect(isNvdApiUrl('http://127.0.0.1:8080/rest/json/cves/2.0')).toBe(true);
    expect(isNvdApiUrl(`${API}?lastModStartDate=2026-11-01T00:00:00.000%2B00:00&lastModEndDate=2026-11-02T00:00:00.000%2B00:00`)).toBe(false);
    expect(isNvdApiUrl('https://mirror.example/nvd/page-0.json')).toBe(false);
  });

  it('loads everything first, then asks from the watermark less the overlap, in windows of at most 120 days', () => {
    const now = new Date('2026-12-07T12:00:00.000Z');
    expect(nvdSyncWindows(null, now)).toEqual([null]);
    expect(nvdSyncWindows(new Date('2026-12-07T06:00:00.000Z'), now)).toEqual([{ start: new Date('2026-12-07T05:00:00.000Z'), end: now }]);
    const year = nvdSyncWindows(new Date(now.getTime() - 365 * DAY), now, 0);
    expect(year).toHaveLength(4);
    expect(year[0]?.start).toEqual(new Date(now.getTime() - 365 * DAY));
    expect(year.at(-1)?.end).toEqual(now);
    for (let i = 0; i < year.length; i++) {
      const w = year[i]!;
      expect(w.end.getTime() - w.start.getTime()).toBeLessThanOrEqual(NVD_MAX_WINDOW_MS);
      if (i > 0) expect(w.start).toEqual(year[i - 1]?.end);
    }
    // A watermark in the future (a clock set back) still asks for the overlap before now.
    expect(nvdSyncWindows(new Date(now.getTime() + DAY), now)).toEqual([{ start: new Date(now.getTime() - 3_600_000), end: now }]);
  });

  it('writes the dates with an offset, which a URL carries as %2B', () => {
    const url = nvdPageUrl(API, { start: new Date('2026-08-09T00:00:00.000Z'), end: new Date('2026-12-07T00:00:00.000Z') }, 4000, 2000);
    expect(url).toBe(`${API}?lastModStartDate=2026-08-09T00%3A00%3A00.000%2B00%3A00&lastModEndDate=2026-12-07T00%3A00%3A00.000%2B00%3A00&resultsPerPage=2000&startIndex=4000`);
    expect(new URL(url).searchParams.get('lastModStartDate')).toBe('2026-08-09T00:00:00.000+00:00');
    expect(nvdPageUrl(API, null, 0, 2000)).toBe(`${API}?resultsPerPage=2000&startIndex=0`);
  });

  it('reads a page\'s paging and refuses one that would skip or repeat CVEs', () => {
    const page = (startIndex: number, totalResults: number, n: number) => JSON.stringify({ format: 'NVD_CVE', startIndex, totalResults, resultsPerPage: n, vulnerabilities: Array.from({ length: n }, () => ({})) });
    expect(readNvdPageHeader(page(2, 5, 2), 2, 'p')).toEqual({ startIndex: 2, totalResults: 5, count: 2 });
    expect(readNvdPageHeader(page(0, 0, 0), 0, 'p')).toEqual({ startIndex: 0, totalResults: 0, count: 0 });
    expect(() => readNvdPageHeader(page(0, 5, 2), 2, 'p')).toThrow('p: the NVD API answered startIndex 0 to a request for 2');
    expect(() => readNvdPageHeader(page(2, 5, 0), 2, 'p')).toThrow('no CVEs at startIndex 2 of totalResults 5');
    expect(() => readNvdPageHeader('<html>', 0, 'p')).toThrow(expect.objectContaining({ code: 'PW_INPUT_MALFORMED' }));
    expect(() => readNvdPageHeader('{"message":"x"}', 0, 'p')).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
  });
});

describe('RequestPacer', () => {
  it('keeps NVD\'s public pace: 6 s apart and never more than 5 in a rolling 30 s', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const pacer = new RequestPacer(NVD_PUBLIC_PACE, () => now, (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    });
    const starts: number[] = [];
    for (let i = 0; i < 12; i++) {
      await pacer.acquire();
      starts.push(now);
      now += 100; // each request takes a little time
    }
    expect(starts.slice(0, 3)).toEqual([0, 6000, 12000]);
    for (let i = 5; i < starts.length; i++) expect(starts[i]! - starts[i - 5]!).toBeGreaterThanOrEqual(30_000);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(6_000);
    // A request long after the last one goes at once.
    now += 60_000;
    const before = sleeps.length;
    await pacer.acquire();
    expect(sleeps.length).toBe(before);
  });

  it('counts the window, not only the spacing', async () => {
    let now = 0;
    const pacer = new RequestPacer({ maxRequests: 3, perMs: 10_000, minSpacingMs: 0 }, () => now, (ms) => {
      now += ms;
      return Promise.resolve();
    });
    const starts: number[] = [];
    for (let i = 0; i < 7; i++) {
      await pacer.acquire();
      starts.push(now);
    }
    expect(starts).toEqual([0, 0, 0, 10_000, 10_000, 10_000, 20_000]);
  });
});
