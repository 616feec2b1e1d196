import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  FeedStore,
  NVD_KEYED_PACE,
  NVD_MAX_PAGE_SIZE,
  NVD_PUBLIC_PACE,
  PatchwiseError,
  RequestPacer,
  claimFeedSource,
  fetchFeed,
  isNvdApiUrl,
  makeDirectoriesAsync,
  type FeedSource,
  type FeedsTables,
  type FetchFeedOptions,
  type Sleeper,
  type SyncOutcome,
  countNoun,
} from '@patchwise/core';
import type { Kysely } from 'kysely';
import type { ControlPlane, FeedImportReply } from './control-plane.js';
import { tablesOf, type Database } from './database.js';
import { syncNvdApi } from './nvd-api-sync.js';

export interface FeedSyncerOptions {
  readonly db: Kysely<Database>;
  readonly controlPlane: ControlPlane;
  readonly clock: () => Date;
  /** Downloads are staged in a fresh directory under here and removed after the import. */
  readonly workDir: string;
  readonly fetch?: typeof globalThis.fetch;
  /** Largest feed file accepted (default: fetchFeed's, 512 MiB). */
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
  /** How often the timer looks for due sources (default 60 s). */
  readonly checkEveryMs?: number;
  readonly log?: (line: string) => void;
  /** Waits between NVD API requests and before retries (default: a real timer); tests pass time on their clock instead. */
  readonly sleep?: Sleeper;
  /** Where `apiKeyEnv` variables are read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** CVEs asked per NVD API page (default and most NVD serves: 2000). */
  readonly nvdPageSize?: number;
  /** Pauses before retrying an NVD API request answered 403/503 (default 15 s, 30 s, 60 s, 120 s). */
  readonly nvdRetryDelaysMs?: readonly number[];
}

/** What one pass did with one source. */
export interface FeedSyncResult {
  readonly name: string;
  readonly outcome: 'imported' | 'not-modified' | 'skipped' | 'failed';
  /** Records (OSV) or entries (KEV, EPSS, NVD) this sync imported and that are held now as its file gave them. */
  readonly records?: number | undefined;
  readonly hostsReassessed?: number;
  /** Why the sync failed, or the problems of a file that was otherwise imported. */
  readonly error?: string;
  /** Skipped: when the source is next due. */
  readonly dueAt?: Date;
}

type HeldSource = Awaited<ReturnType<FeedStore['sources']>>[number];

/**
 * Syncs the configured feed sources: each one whose interval has passed since its last attempt
 * is downloaded (conditionally, size-limited, checksum-verified), imported through the control
 * plane, and its outcome recorded. A failed or corrupt download changes nothing held: the
 * import validates the file in full first, and a failure only records the error.
 */
export class FeedSyncer {
  private readonly store: FeedStore;
  private readonly feeds: Kysely<FeedsTables>;
  private readonly abort = new AbortController();
  /** The configured sources as the file gave them: what is not stored (the API key's variable) is read from here. */
  private configured = new Map<string, FeedSource>();
  /** One pacer per API origin and key: NVD's limits are per key, or per address without one. */
  private readonly pacers = new Map<string, RequestPacer>();
  // Passes run one after another: the timer and POST /feeds/sync must not download twice.
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: FeedSyncerOptions) {
    this.feeds = tablesOf<FeedsTables>(options.db);
    this.store = new FeedStore(this.feeds, options.clock);
  }

  /**
   * Stores the configured sources (kept validators and history survive a restart) and makes
   * them the ones synced. Sources held from an earlier config are no longer synced; `feeds
   * status` shows them as no longer configured, with the records they still hold.
   */
  async configure(sources: readonly FeedSource[]): Promise<void> {
    for (const source of sources) await this.store.upsertSource(source);
    this.configured = new Map(sources.map((s) => [s.name, s]));
  }

  /** How many sources the server was configured with (held ones from an earlier config not counted). */
  get sourceCount(): number {
    return this.configured.size;
  }

  /** The names of the sources the server was configured with; `feeds status` marks the others held as no longer configured. */
  get configuredNames(): ReadonlySet<string> {
    return new Set(this.configured.keys());
  }

  /** One pass over the configured sources; `force` syncs those not yet due too. */
  tick(options: { force?: boolean } = {}): Promise<FeedSyncResult[]> {
    const pass = this.queue.then(() => this.pass(options.force ?? false));
    this.queue = pass.catch(() => undefined);
    return pass;
  }

  /** Runs passes on a timer (unref'd: it never keeps the process alive), the first one now. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.schedule(0);
  }

  /** Stops the timer, cancels a download in flight and waits for the pass to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.queue;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runScheduled(), delayMs);
    this.timer.unref();
  }

  private async runScheduled(): Promise<void> {
    try {
      await this.tick();
    } catch (err) {
      // A database outage must not end the timer (or the process): the next pass retries.
      this.log(`feed sync pass failed: ${(err as Error).message}`);
    }
    this.schedule(this.options.checkEveryMs ?? 60_000);
  }

  private async pass(force: boolean): Promise<FeedSyncResult[]> {
    const results: FeedSyncResult[] = [];
    // A paged API source (NVD: a first load of ~150 pages at NVD's pace takes about 15 minutes)
    // goes last, so the advisory feeds and KEV/EPSS of the same pass are not held up behind it.
    const sources = (await this.store.sources()).sort((a, b) => Number(isPagedApi(a)) - Number(isPagedApi(b)));
    for (const source of sources) {
      if (this.stopped) break;
      if (!this.configured.has(source.name)) continue;
      const now = this.options.clock();
      const dueAt = source.lastAttemptAt ? new Date(source.lastAttemptAt.getTime() + delaySeconds(source) * 1000) : now;
      if (!force && dueAt > now) {
        results.push({ name: source.name, outcome: 'skipped', dueAt });
        continue;
      }
      if (!(await claimFeedSource(this.feeds, source.name, source.lastAttemptAt, now))) {
        // Another server process claimed it between our read and our update.
        results.push({ name: source.name, outcome: 'skipped', dueAt: new Date(now.getTime() + source.intervalSeconds * 1000) });
        continue;
      }
      results.push(await this.syncOne(source));
    }
    return results;
  }

  private async syncOne(source: HeldSource): Promise<FeedSyncResult> {
    if (isPagedApi(source)) return this.syncNvdApi(source);
    const dir = join(this.options.workDir, randomUUID());
    const file = join(dir, fileNameFor(source));
    try {
      await makeDirectoriesAsync(dir, 0o700);
      const fetched = await fetchFeed(
        { url: source.url, sha256Url: source.sha256Url, etag: source.etag, lastModified: source.lastModified, destination: file },
        this.fetchOptions(),
      );
      if (fetched.status === 'not-modified') {
        await this.store.recordSync(source.name, { ok: true });
        return { name: source.name, outcome: 'not-modified' };
      }
      // The kind is checked before anything is stored: a file of another kind imports nothing.
      const reply = await this.options.controlPlane.importFeeds([file], source.name, { kind: 'system', id: 'feed-sync', name: source.name }, { kind: source.kind });
      const records = recordsOf(source, reply);
      const problems = reply.problems.map((p) => p.replaceAll(file, source.url));
      // A source serving an older or cut-down catalog than the one held is worth an error line:
      // nothing was lost, but the source is not giving what it should.
      const keptOut = reply.keptOut.map((k) => k.message.replaceAll(file, source.url));
      const ok: SyncOutcome = { ok: true };
      if (problems.length === 0 && keptOut.length === 0) {
        await this.store.recordSync(source.name, { ...ok, etag: fetched.etag, lastModified: fetched.lastModified });
        this.log(`feed ${source.name}: imported (${countNoun(records, 'record')}, ${countNoun(reply.hostsReassessed, 'host')} re-assessed)`);
        return { name: source.name, outcome: 'imported', records, hostsReassessed: reply.hostsReassessed };
      }
      // Part of the file was imported (or a document kept out): record that, then the problems. The
      // validators are not stored, so the next sync downloads the file again instead of hearing "not modified".
      const error = [...(problems.length > 0 ? [`${problems.length} problem${problems.length > 1 ? 's' : ''} in the file: ${problems[0]}`] : []), ...keptOut].join('; ');
      await this.store.recordSync(source.name, ok);
      await this.store.recordSync(source.name, { ok: false, error });
      this.log(`feed ${source.name}: imported with ${error}`);
      return { name: source.name, outcome: 'imported', records, hostsReassessed: reply.hostsReassessed, error };
    } catch (err) {
      const error = (err instanceof PatchwiseError ? err.message : `unexpected error: ${(err as Error).message}`).replaceAll(file, source.url);
      this.log(`feed ${source.name}: sync failed: ${error}`);
      await this.store.recordSync(source.name, { ok: false, error });
      return { name: source.name, outcome: 'failed', error };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * An `nvd` source whose URL is the NVD CVE API: every page of the API on the first sync, then
   * every page of the CVEs modified since the last complete sync started (syncNvdApi). Only a
   * complete sync moves that watermark; one that fails part-way keeps the pages it stored (valid
   * records, which the next sync, asking from the old watermark, finds unchanged) and records
   * its error.
   */
  private async syncNvdApi(source: HeldSource): Promise<FeedSyncResult> {
    const dir = join(this.options.workDir, randomUUID());
    try {
      const keyEnv = this.configured.get(source.name)?.apiKeyEnv ?? null;
      const key = keyEnv ? (this.options.env ?? process.env)[keyEnv] : undefined;
      // Checked at start-up too; the variable's value is never shown.
      if (keyEnv && !key) throw new PatchwiseError('PW_CONFIG_INVALID', `the environment variable ${keyEnv} named by apiKeyEnv is not set`);
      await makeDirectoriesAsync(dir, 0o700);
      const actor = { kind: 'system' as const, id: 'feed-sync', name: source.name };
      const result = await syncNvdApi(source, dir, {
        clock: this.options.clock,
        pacer: this.pacerFor(source.url, keyEnv),
        sleep: this.sleep,
        pageSize: this.options.nvdPageSize ?? NVD_MAX_PAGE_SIZE,
        ...(this.options.nvdRetryDelaysMs ? { retryDelaysMs: this.options.nvdRetryDelaysMs } : {}),
        signal: this.abort.signal,
        log: (line) => this.log(`feed ${source.name}: ${line}`),
        fetchPage: async (url, destination) => {
          await fetchFeed({ url, destination, ...(key ? { headers: { apiKey: key } } : {}) }, this.fetchOptions());
        },
        importPage: async (file) => {
          const reply = await this.options.controlPlane.importFeeds([file], source.name, actor, { kind: 'nvd' });
          return { records: reply.documentEntries, hostsReassessed: reply.hostsReassessed };
        },
      });
      const counts = { records: result.records, hostsReassessed: result.hostsReassessed };
      const pages = `${countNoun(result.pages, 'page')}, ${countNoun(result.windows, 'window')}`;
      if (result.error === undefined) {
        await this.store.recordSync(source.name, { ok: true, watermark: result.startedAt });
        this.log(`feed ${source.name}: imported (${countNoun(result.records, 'record')} from ${pages}, ${countNoun(result.hostsReassessed, 'host')} re-assessed)`);
        return { name: source.name, outcome: 'imported', ...counts };
      }
      await this.store.recordSync(source.name, { ok: false, error: result.error });
      this.log(`feed ${source.name}: sync failed: ${result.error}`);
      return { name: source.name, outcome: 'failed', ...counts, error: result.error };
    } catch (err) {
      const error = err instanceof PatchwiseError ? err.message : `unexpected error: ${(err as Error).message}`;
      this.log(`feed ${source.name}: sync failed: ${error}`);
      await this.store.recordSync(source.name, { ok: false, error });
      return { name: source.name, outcome: 'failed', error };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private pacerFor(url: string, keyEnv: string | null): RequestPacer {
    const id = `${new URL(url).origin} ${keyEnv ?? ''}`;
    let pacer = this.pacers.get(id);
    if (!pacer) {
      pacer = new RequestPacer(keyEnv ? NVD_KEYED_PACE : NVD_PUBLIC_PACE, () => this.options.clock().getTime(), this.sleep);
      this.pacers.set(id, pacer);
    }
    return pacer;
  }

  private readonly sleep: Sleeper = (ms, signal) => (this.options.sleep ?? realSleep)(ms, signal);

  private fetchOptions(): FetchFeedOptions {
    return {
      signal: this.abort.signal,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      ...(this.options.maxBytes !== undefined ? { maxBytes: this.options.maxBytes } : {}),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
    };
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** A real pause; a server stopping cuts it short, and the sync ends as cancelled. */
async function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch {
    throw new PatchwiseError('PW_INPUT_UNREADABLE', 'sync cancelled: the server is stopping');
  }
}

/** A source that failed last time is tried again sooner than its interval, so an outage of minutes costs minutes. */
const RETRY_SECONDS = 15 * 60;

function delaySeconds(source: HeldSource): number {
  return source.lastError === null ? source.intervalSeconds : Math.min(source.intervalSeconds, RETRY_SECONDS);
}

/**
 * The staged file keeps the URL's base name (readable errors); the content, not the name,
 * decides how it is read (zip, gzip, JSON, CSV), so a URL without one gets a neutral name.
 */
function fileNameFor(source: FeedSource): string {
  const raw = new URL(source.url).pathname.split('/').pop() ?? '';
  let last: string;
  try {
    last = decodeURIComponent(raw);
  } catch {
    last = raw; // a stray % in the path: the name is cosmetic, keep it as sent
  }
  last = last.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(last) ? last : `${source.kind}-feed`;
}

/**
 * What one sync imported: the records of its file now held as it served them (new, updated or
 * unchanged; older copies kept out count none), or the entries of its document when that is held
 * now. What the source holds in all is `feeds status`'s to say (FeedStore.status).
 */
function recordsOf(source: HeldSource, reply: FeedImportReply): number {
  return source.kind === 'osv' ? reply.records.inserted + reply.records.updated + reply.records.unchanged : reply.documentEntries;
}

/** Whether a source is synced by paging through the NVD CVE API rather than fetched as one file. */
function isPagedApi(source: Pick<HeldSource, 'kind' | 'url'>): boolean {
  return source.kind === 'nvd' && isNvdApiUrl(source.url);
}
