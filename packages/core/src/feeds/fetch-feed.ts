import { createHash } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { PatchwiseError } from '../errors/index.js';
import { formatBytes } from '../input/index.js';

/** What to download, with the validators of the copy held now (absent on a first sync). */
export interface FetchFeedRequest {
  readonly url: string;
  /** Where the source publishes the SHA-256 of the file (`HEX`, `HEX  name` or a sums list). */
  readonly sha256Url?: string | null | undefined;
  readonly etag?: string | null | undefined;
  readonly lastModified?: string | null | undefined;
  /** The file to write; it only appears once the download is complete and verified. */
  readonly destination: string;
  /**
   * Headers to send besides the user agent and validators. When given, redirects are not
   * followed: fetch keeps custom headers across origins, and they may carry a secret (NVD's
   * `apiKey`) that another host must not receive.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** The source answered with an HTTP status other than 200 or 304; `status` lets a caller decide to retry. */
export class FeedHttpError extends PatchwiseError {
  constructor(
    readonly status: number,
    message: string,
    input: string,
    /** The answer's `Retry-After` header as sent (seconds, or an HTTP date), when it had one. */
    readonly retryAfter: string | null = null,
  ) {
    super('PW_INPUT_UNREADABLE', message, { input });
  }
}

export interface FetchFeedOptions {
  /** Replaces the global fetch (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch;
  /** Largest response accepted, counted while streaming (after any Content-Encoding). */
  readonly maxBytes?: number;
  /** Time allowed for the whole call: answer, body and checksum. */
  readonly timeoutMs?: number;
  /** Aborts the download (a server shutting down). */
  readonly signal?: AbortSignal;
  readonly userAgent?: string;
}

export type FetchFeedResult =
  | { readonly status: 'not-modified' }
  | {
      readonly status: 'downloaded';
      readonly bytes: number;
      /** SHA-256 of the bytes written, hex. */
      readonly sha256: string;
      /** True when the source published a checksum and it matched. */
      readonly verified: boolean;
      readonly etag: string | null;
      readonly lastModified: string | null;
    };

export const DEFAULT_FEED_MAX_BYTES = 512 * 1024 * 1024;
export const DEFAULT_FEED_TIMEOUT_MS = 10 * 60 * 1000;
/** A checksum file is one line or a short list; anything bigger is not one. */
const MAX_CHECKSUM_BYTES = 64 * 1024;

/**
 * Downloads one feed file with a conditional request (If-None-Match / If-Modified-Since from the
 * validators held), refusing it once it grows past `maxBytes`, and, when the source publishes a
 * SHA-256, verifying the bytes against it. The file is written under a `.part` name and renamed
 * only when complete and verified, so a failed download never leaves something to import.
 * Errors are PatchwiseErrors naming the URL (credentials never appear in messages).
 */
export async function fetchFeed(request: FetchFeedRequest, options: FetchFeedOptions = {}): Promise<FetchFeedResult> {
  const url = parseFeedUrl(request.url, 'url');
  const sumsUrl = request.sha256Url ? parseFeedUrl(request.sha256Url, 'sha256Url') : null;
  const doFetch = options.fetch ?? globalThis.fetch;
  const maxBytes = options.maxBytes ?? DEFAULT_FEED_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_FEED_TIMEOUT_MS;
  const shown = url.href; // credentials were refused above, so the URL is safe to show

  // One controller for the whole call: the timeout, the caller's signal and the size limit all
  // abort it, and its reason (a PatchwiseError) is what the caller sees.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new PatchwiseError('PW_INPUT_UNREADABLE', `no complete answer within ${Math.round(timeoutMs / 1000)}s`, { input: shown })), timeoutMs);
  const onCancel = () => controller.abort(new PatchwiseError('PW_INPUT_UNREADABLE', 'download cancelled', { input: shown }));
  if (options.signal?.aborted) onCancel();
  options.signal?.addEventListener('abort', onCancel, { once: true });

  const part = `${request.destination}.part`;
  try {
    const userAgent = options.userAgent ?? 'patchwise-feed-sync';
    const headers: Record<string, string> = { ...request.headers, 'user-agent': userAgent };
    if (request.etag) headers['if-none-match'] = request.etag;
    if (request.lastModified) headers['if-modified-since'] = request.lastModified;
    const conditional = Boolean(request.etag || request.lastModified);
    const follow = request.headers === undefined;
    const response = await abortable(doFetch(url, { headers, signal: controller.signal, redirect: follow ? 'follow' : 'manual' }), controller.signal);
    await refuseDowngrade(url, response, shown);
    if (!follow && response.status >= 300 && response.status < 400 && response.status !== 304) {
      await response.body?.cancel();
      throw new FeedHttpError(response.status, `HTTP ${response.status} redirect to ${response.headers.get('location') ?? 'elsewhere'}; not followed, since the request carries headers (an API key) meant for this host only`, shown);
    }
    if (response.status === 304) {
      await response.body?.cancel();
      // A 304 to an unconditional request would leave nothing to import and nothing held to keep.
      if (!conditional) throw new PatchwiseError('PW_INPUT_UNREADABLE', 'HTTP 304 to a request that was not conditional', { input: shown });
      return { status: 'not-modified' };
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new FeedHttpError(response.status, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, shown, response.headers.get('retry-after'));
    }
    const hash = createHash('sha256');
    const file = await open(part, 'w', 0o600);
    let bytes: number;
    try {
      bytes = await readBody(response, maxBytes, shown, controller, async (chunk) => {
        hash.update(chunk);
        await file.write(chunk);
      });
    } finally {
      await file.close();
    }
    const sha256 = hash.digest('hex');
    if (sumsUrl) {
      const expected = await fetchChecksum(sumsUrl, url, doFetch, userAgent, controller);
      if (expected !== sha256) {
        throw new PatchwiseError('PW_INPUT_INVALID', `SHA-256 mismatch: the download is ${sha256}, ${sumsUrl.href} says ${expected}`, { input: shown });
      }
    }
    await rename(part, request.destination);
    return { status: 'downloaded', bytes, sha256, verified: sumsUrl !== null, etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') };
  } catch (err) {
    throw asFeedError(err, controller, shown);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCancel);
    await rm(part, { force: true });
  }
}

/**
 * Parses a published checksum: `HEX`, `HEX  name` / `HEX *name` (sha256sum), or
 * `SHA256 (name) = HEX` (BSD). A file of several lines must name the downloaded file.
 */
export function parseSha256List(text: string, fileName: string, source: string): string {
  const entries: { hex: string; name: string | null }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const gnu = /^([0-9a-fA-F]{64})(?:\s+\*?(.+))?$/.exec(line);
    const bsd = /^SHA256 \((.+)\) = ([0-9a-fA-F]{64})$/i.exec(line);
    if (gnu) entries.push({ hex: gnu[1]!.toLowerCase(), name: gnu[2] ?? null });
    else if (bsd) entries.push({ hex: bsd[2]!.toLowerCase(), name: bsd[1]! });
    else throw new PatchwiseError('PW_INPUT_MALFORMED', `not a SHA-256 checksum line: "${line.slice(0, 80)}"`, { input: source });
  }
  if (entries.length === 1) return entries[0]!.hex;
  // Publishers often write a build path (`/tmp/out/x.zip`): names are compared by base name.
  const named = entries.filter((e) => e.name !== null && basename(e.name) === fileName);
  if (named.length === 1) return named[0]!.hex;
  if (entries.length === 0) throw new PatchwiseError('PW_INPUT_MALFORMED', 'no SHA-256 checksum in the file', { input: source });
  throw new PatchwiseError('PW_INPUT_INVALID', `${entries.length} checksums and ${named.length === 0 ? 'none' : 'several'} for ${fileName}`, { input: source });
}

/** A feed URL: http or https only, and no credentials (they would end up in logs and messages). */
export function parseFeedUrl(text: string, setting: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PatchwiseError('PW_CONFIG_INVALID', `"${text.slice(0, 200)}" is not a URL`, { input: setting });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PatchwiseError('PW_CONFIG_INVALID', `only http and https URLs are fetched, not ${url.protocol}`, { input: setting });
  }
  if (url.username || url.password) throw new PatchwiseError('PW_CONFIG_INVALID', 'credentials in the URL are not supported', { input: setting });
  return url;
}

async function fetchChecksum(sumsUrl: URL, fileUrl: URL, doFetch: typeof globalThis.fetch, userAgent: string, controller: AbortController): Promise<string> {
  const shown = sumsUrl.href;
  // Never conditional: the checksum must describe the bytes just downloaded.
  const response = await abortable(doFetch(sumsUrl, { headers: { 'user-agent': userAgent }, signal: controller.signal, redirect: 'follow' }), controller.signal);
  await refuseDowngrade(sumsUrl, response, shown);
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new PatchwiseError('PW_INPUT_UNREADABLE', `checksum: HTTP ${response.status}`, { input: shown });
  }
  const chunks: Uint8Array[] = [];
  await readBody(response, MAX_CHECKSUM_BYTES, shown, controller, (chunk) => {
    chunks.push(chunk);
  });
  return parseSha256List(Buffer.concat(chunks).toString('utf8'), basename(decodeURIComponent(fileUrl.pathname)), shown);
}

/**
 * An https source redirected to plain http could be rewritten by anyone on the path: its body is
 * not read. (fetch follows redirects itself; the final URL tells where the answer came from.)
 */
async function refuseDowngrade(requested: URL, response: Response, shown: string): Promise<void> {
  if (requested.protocol !== 'https:' || !response.url || response.url.startsWith('https:')) return;
  await response.body?.cancel();
  throw new PatchwiseError('PW_INPUT_UNREADABLE', `redirected from https to ${response.url}; refused, since plain http can be altered on the way`, { input: shown });
}

/** Streams a body to `onChunk`, aborting the connection as soon as it passes `limit` bytes. */
async function readBody(response: Response, limit: number, shown: string, controller: AbortController, onChunk: (chunk: Uint8Array) => Promise<void> | void): Promise<number> {
  const tooLarge = () => new PatchwiseError('PW_INPUT_TOO_LARGE', `the response is larger than the limit of ${formatBytes(limit)}`, { input: shown });
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    controller.abort(tooLarge());
    throw tooLarge();
  }
  if (!response.body) return 0;
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await abortable(reader.read(), controller.signal);
      if (done) return total;
      total += value.byteLength;
      // Stop the transfer now rather than read (and discard) the rest of a hostile stream.
      if (total > limit) controller.abort(tooLarge());
      if (controller.signal.aborted) throw controller.signal.reason;
      await onChunk(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    throw err;
  }
}

/**
 * Settles with `promise` or rejects with the abort reason, whichever comes first. Not every
 * fetch (an injected one, a body stream) honours the signal, and a timeout must still end the call.
 */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function asFeedError(err: unknown, controller: AbortController, shown: string): PatchwiseError {
  // After an abort, fetch and the body stream reject with assorted errors: the reason says why.
  const reason: unknown = controller.signal.reason;
  if (controller.signal.aborted && reason instanceof PatchwiseError) return reason;
  if (err instanceof PatchwiseError) return err;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (err as Error).message;
  return new PatchwiseError('PW_INPUT_UNREADABLE', `cannot download (${detail})`, { input: shown, cause: err });
}
