import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PatchwiseError } from '../errors/index.js';
import { FeedHttpError, fetchFeed, parseFeedUrl, parseSha256List } from './fetch-feed.js';

const URL_ = 'https://feeds.example/osv/all.json';
const SUMS = 'https://feeds.example/osv/all.json.sha256';
const BODY = '[{"id":"X-1"}]';
const hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** A fetch answering from a table of URL → response factory, recording each request. */
function fakeFetch(routes: Record<string, () => Response>) {
  const requests: { url: string; headers: Headers; signal: AbortSignal | null }[] = [];
  const fn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    requests.push({ url, headers: new Headers(init?.headers), signal: init?.signal ?? null });
    const route = routes[url];
    return Promise.resolve(route ? route() : new Response('no such file', { status: 404, statusText: 'Not Found' }));
  };
  return { fetch: fn, requests };
}

/** A body that yields `chunks` chunks of `size` bytes and records whether it was cancelled. */
function chunkedBody(chunks: number, size: number) {
  const state = { sent: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.sent >= chunks) return controller.close();
      state.sent++;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

async function refusal(promise: Promise<unknown>): Promise<PatchwiseError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PatchwiseError);
  return err as PatchwiseError;
}

describe('fetchFeed', () => {
  let dir: string;
  let destination: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'patchwise-fetch-feed-'));
    destination = join(dir, 'all.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('downloads the file and returns its validators and digest', async () => {
    const { fetch, requests } = fakeFetch({ [URL_]: () => new Response(BODY, { headers: { etag: '"v1"', 'last-modified': 'Sun, 22 Nov 2026 09:00:00 GMT' } }) });
    const result = await fetchFeed({ url: URL_, destination }, { fetch });
    expect(result).toEqual({ status: 'downloaded', bytes: BODY.length, sha256: hex(BODY), verified: false, etag: '"v1"', lastModified: 'Sun, 22 Nov 2026 09:00:00 GMT' });
    expect(readFileSync(destination, 'utf8')).toBe(BODY);
    expect(requests[0]?.headers.has('if-none-match')).toBe(false);
    expect(readdirSync(dir)).toEqual(['all.json']);
  });

  it('sends the held validators and reports 304 as not modified, writing nothing', async () => {
    const { fetch, requests } = fakeFetch({ [URL_]: () => new Response(null, { status: 304 }) });
    const result = await fetchFeed({ url: URL_, destination, etag: '"v1"', lastModified: 'Sun, 22 Nov 2026 09:00:00 GMT' }, { fetch });
    expect(result).toEqual({ status: 'not-modified' });
    expect(requests[0]?.headers.get('if-none-match')).toBe('"v1"');
    expect(requests[0]?.headers.get('if-modified-since')).toBe('Sun, 22 Nov 2026 09:00:00 GMT');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('sends extra headers (an API key) and then follows no redirect, which would carry them to another host', async () => {
    const { fetch, requests } = fakeFetch({ [URL_]: () => new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/x' } }) });
    const err = await refusal(fetchFeed({ url: URL_, destination, headers: { apiKey: 'secret-key' } }, { fetch }));
    expect(requests[0]?.headers.get('apikey')).toBe('secret-key');
    expect(err).toBeInstanceOf(FeedHttpError);
    expect(err.message).toBe(`${URL_}: HTTP 302 redirect to https://elsewhere.example/x; not followed, since the request carries headers (an API key) meant for this host only`);
    expect(err.message).not.toContain('secret-key');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says which HTTP status refused the download, so a caller can retry a 503', async () => {
    const { fetch } = fakeFetch({ [URL_]: () => new Response('busy', { status: 503, statusText: 'Service Unavailable' }) });
    const err = await refusal(fetchFeed({ url: URL_, destination }, { fetch }));
    expect(err).toMatchObject({ status: 503, code: 'PW_INPUT_UNREADABLE', message: `${URL_}: HTTP 503 Service Unavailable` });
  });

  it('verifies the published SHA-256 in both the bare and the sha256sum format', async () => {
    for (const sums of [hex(BODY), `${hex(BODY).toUpperCase()}  all.json\n`, `${'0'.repeat(64)}  other.json\n${hex(BODY)} *all.json\n`]) {
      const { fetch } = fakeFetch({ [URL_]: () => new Response(BODY), [SUMS]: () => new Response(sums) });
      const result = await fetchFeed({ url: URL_, sha256Url: SUMS, destination }, { fetch });
      expect(result).toMatchObject({ status: 'downloaded', verified: true });
    }
  });

  it('refuses a download whose SHA-256 does not match, and leaves no file', async () => {
    const { fetch } = fakeFetch({ [URL_]: () => new Response(BODY), [SUMS]: () => new Response(`${hex('something else')}  all.json\n`) });
    const err = await refusal(fetchFeed({ url: URL_, sha256Url: SUMS, destination }, { fetch }));
    expect(err.code).toBe('PW_INPUT_INVALID');
    expect(err.message).toContain('SHA-256 mismatch');
    expect(err.message).toContain(URL_);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails when the checksum cannot be fetched rather than import unverified', async () => {
    const { fetch } = fakeFetch({ [URL_]: () => new Response(BODY) });
    const err = await refusal(fetchFeed({ url: URL_, sha256Url: SUMS, destination }, { fetch }));
    expect(err.code).toBe('PW_INPUT_UNREADABLE');
    expect(err.message).toContain('HTTP 404');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a response declared larger than the limit without reading it', async () => {
    const body = chunkedBody(100, 1024);
    const { fetch } = fakeFetch({ [URL_]: () => new Response(body.stream, { headers: { 'content-length': String(100 * 1024) } }) });
    const err = await refusal(fetchFeed({ url: URL_, destination }, { fetch, maxBytes: 10_000 }));
    expect(err.code).toBe('PW_INPUT_TOO_LARGE');
    expect(err.message).toContain(URL_);
    expect(body.state.sent).toBeLessThanOrEqual(1);
  });

  it('stops streaming once an undeclared body passes the limit', async () => {
    const body = chunkedBody(1000, 1024);
    const { fetch, requests } = fakeFetch({ [URL_]: () => new Response(body.stream) });
    const err = await refusal(fetchFeed({ url: URL_, destination }, { fetch, maxBytes: 10_000 }));
    expect(err.code).toBe('PW_INPUT_TOO_LARGE');
    expect(body.state.cancelled).toBe(true);
    expect(body.state.sent).toBeLessThan(20);
    expect(requests[0]?.signal?.aborted).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses an https source redirected to plain http, for the file and for its checksum', async () => {
    const redirected = () => {
      const res = new Response(BODY, { status: 200 });
      Object.defineProperty(res, 'url', { value: 'http://mirror.example/osv/all.json' });
      return res;
    };
    const err = await refusal(fetchFeed({ url: URL_, destination }, { fetch: fakeFetch({ [URL_]: redirected }).fetch }));
    expect(err.message).toMatch(/redirected from https to http:\/\/mirror\.example\/osv\/all\.json/);
    expect(existsSync(destination)).toBe(false);
    const sums = await refusal(fetchFeed({ url: URL_, sha256Url: SUMS, destination }, { fetch: fakeFetch({ [URL_]: () => new Response(BODY), [SUMS]: redirected }).fetch }));
    expect(sums.message).toMatch(/redirected from https/);
    // An https → https redirect is fine.
    const moved = () => {
      const res = new Response(BODY, { status: 200 });
      Object.defineProperty(res, 'url', { value: 'https://cdn.example/osv/all.json' });
      return res;
    };
    expect(await fetchFeed({ url: URL_, destination }, { fetch: fakeFetch({ [URL_]: moved }).fetch })).toMatchObject({ status: 'downloaded' });
  });

  it('names the URL and status of an HTTP error', async () => {
    const { fetch } = fakeFetch({ [URL_]: () => new Response('oops', { status: 503, statusText: 'Service Unavailable' }) });
    const err = await refusal(fetchFeed({ url: URL_, destination }, { fetch }));
    expect(err.code).toBe('PW_INPUT_UNREADABLE');
    expect(err.message).toBe(`${URL_}: HTTP 503 Service Unavailable`);
  });

  it('refuses a 304 to a request that had no validators', async () => {
    const { fetch } = fakeFetch({ [URL_]: () => new Response(null, { status: 304 }) });
    expect((await refusal(fetchFeed({ url: URL_, destination }, { fetch }))).message).toMatch(/not conditional/);
  });

  it('gives up after the timeout, even in the middle of a body', async () => {
    // The body never ends; only the timeout can finish the call.
    const stream = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(10)) });
    const { fetch } = fakeFetch({ [URL_]: () => new Response(stream) });
    const err = await refusal(fetchFeed({ url: URL_, destination }, { fetch, timeoutMs: 20 }));
    expect(err.code).toBe('PW_INPUT_UNREADABLE');
    expect(err.message).toMatch(/no complete answer within/);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it('is cancelled by the caller’s signal', async () => {
    const { fetch } = fakeFetch({ [URL_]: () => new Response(BODY) });
    const err = await refusal(fetchFeed({ url: URL_, destination }, { fetch, signal: AbortSignal.abort() }));
    expect(err.message).toMatch(/cancelled/);
  });

  it('describes a connection failure', async () => {
    const fetch = (() => Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }))) as typeof globalThis.fetch;
    const err = await refusal(fetchFeed({ url: URL_, destination }, { fetch }));
    expect(err.message).toBe(`${URL_}: cannot download (ECONNREFUSED)`);
  });

  it('fetches only http and https URLs without credentials', async () => {
    const { fetch, requests } = fakeFetch({});
    for (const url of ['file:///etc/passwd', 'ftp://feeds.example/x', 'https://user:secret@feeds.example/x', 'not a url']) {
      expect((await refusal(fetchFeed({ url, destination }, { fetch }))).code).toBe('PW_CONFIG_INVALID');
    }
    expect((await refusal(fetchFeed({ url: URL_, sha256Url: 'file:///x', destination }, { fetch }))).message).toMatch(/^sha256Url: /);
    expect(requests).toEqual([]);
    expect(() => parseFeedUrl('https://user:secret@feeds.example/x', 'url')).toThrow(/credentials/);
  });
});

describe('parseSha256List', () => {
  const h = 'ab'.repeat(32);
  it('reads bare, sha256sum and BSD lines', () => {
    expect(parseSha256List(`${h}\n`, 'a.zip', 's')).toBe(h);
    expect(parseSha256List(`${h.toUpperCase()}  ./dist/a.zip`, 'a.zip', 's')).toBe(h);
    expect(parseSha256List(`SHA256 (a.zip) = ${h}`, 'a.zip', 's')).toBe(h);
    expect(parseSha256List(`# sums\n${'cd'.repeat(32)}  b.zip\n${h}  /build/a.zip\n`, 'a.zip', 's')).toBe(h);
  });
  it('refuses what is not a checksum, or a list not naming the file', () => {
    expect(() => parseSha256List('<html>not found</html>', 'a.zip', 'sums')).toThrow(/sums: not a SHA-256 checksum line/);
    expect(() => parseSha256List('', 'a.zip', 'sums')).toThrow(/no SHA-256 checksum/);
    expect(() => parseSha256List(`${h}  b.zip\n${h}  c.zip`, 'a.zip', 'sums')).toThrow(/none for a.zip/);
  });
});
