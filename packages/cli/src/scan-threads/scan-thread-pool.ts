/**
 * Parser threads for `patchwise scan`. Reading and JSON.parse-ing the SBOMs is most of a large
 * scan's time (docs/benchmarks.md); here other threads do it, and the main thread only decodes
 * each host (package numbers → the scan's shared package objects), matches and writes.
 *
 * Files are handed out round-robin, a bounded number ahead of the one the scan is at, and the
 * results are given back strictly in listing order, so the output and every message on stderr
 * come out as from a scan in one thread. When the scan would wait for a thread, the main thread
 * reads the next file not yet handed out itself instead: the split of work then follows what
 * each thread actually gets done, on a machine whose cores are shared with other work too.
 * Archives are read by the main thread (rare in fleets, and their entries come as one stream).
 */
import { Worker } from 'node:worker_threads';
import {
  InventoryDecoder,
  InventoryFileReader,
  fromWireError,
  readInventoryFile,
  type InputFile,
  type InputLimits,
  type InputProblem,
  type InventoryReadEvent,
  type PackageCache,
} from '@patchwise/core/assessment';
import type { ThreadReply, ThreadStart, ThreadTask } from './thread-messages.js';

export interface ScanThreadPoolOptions {
  /** Parser threads to start (at least 1). */
  readonly threads: number;
  /** The scan's package cache: packages from every thread are shared through it. */
  readonly packageCache: PackageCache;
  readonly limits?: InputLimits | undefined;
  /** As InventoryParseOptions.ecosystem. */
  readonly ecosystem?: string | undefined;
  /** As InventoryParseOptions.osRelease. */
  readonly osRelease?: string | undefined;
  /**
   * Files handed to each thread ahead of the scan. Results are small (package numbers), so this
   * mostly decides how much parsing gets done while the main thread loads advisories.
   */
  readonly aheadPerThread?: number | undefined;
  /** The thread's entry module (tests start threads that fail). Default: bin/scan-thread.js. */
  readonly threadEntry?: URL | undefined;
}

const THREAD_ENTRY = new URL('../../bin/scan-thread.js', import.meta.url);
const DEFAULT_AHEAD_PER_THREAD = 512;

interface Thread {
  readonly worker: Worker;
  readonly decoder: InventoryDecoder;
}

/** The main thread's own reader, for files it reads while it would wait. */
interface Local {
  readonly reader: InventoryFileReader;
  readonly decoder: InventoryDecoder;
}

/** Lets the event loop deliver the threads' replies. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A decoded result, or the reason the scan must stop. */
type Settled = InventoryReadEvent | { readonly kind: 'archive' } | { readonly kind: 'crash'; readonly error: Error };

export class ScanThreadPool {
  private readonly threads: Thread[] = [];
  private readonly results = new Map<number, Settled>();
  private readonly ahead: number;
  /** Index in `listed` of the next file to hand out, and how many files were handed out. */
  private next = 0;
  private handedOut = 0;
  private waiting: { readonly seq: number; readonly wake: () => void } | undefined;
  /** Set when a thread died (not an input's problem): the main thread then reads what is left. */
  private threadsFailed = false;
  private closed = false;
  private local: Local | undefined;
  private readHereCount = 0;
  /** The listing index the scan is at: replies for earlier files (read here meanwhile) are only decoded. */
  private at = 0;

  /**
   * Starts the threads and hands out the first files at once, so they are parsed while the
   * caller does other work (loading advisories).
   */
  constructor(
    private readonly listed: readonly (InputFile | InputProblem)[],
    private readonly options: ScanThreadPoolOptions,
  ) {
    const start: ThreadStart = { limits: options.limits, ecosystem: options.ecosystem, osRelease: options.osRelease };
    this.ahead = Math.max(1, options.threads) * (options.aheadPerThread ?? DEFAULT_AHEAD_PER_THREAD);
    for (let i = 0; i < Math.max(1, options.threads); i++) {
      // stdout is the report: nothing a thread might print may end up inside it.
      const worker = new Worker(options.threadEntry ?? THREAD_ENTRY, { workerData: start, stdout: true });
      const thread: Thread = { worker, decoder: new InventoryDecoder(options.packageCache) };
      worker.on('message', (reply: ThreadReply) => this.receive(thread, reply));
      worker.on('error', () => this.fail());
      worker.on('exit', () => {
        if (!this.closed) this.fail();
      });
      this.threads.push(thread);
    }
    this.handOut(0);
  }

  /** Every listed input's hosts or problem, in listing order. Closes the threads at the end. */
  async *events(): AsyncGenerator<InventoryReadEvent> {
    try {
      for (let seq = 0; seq < this.listed.length; seq++) {
        const entry = this.listed[seq] as InputFile | InputProblem;
        this.at = seq;
        this.handOut(seq);
        if (entry.kind === 'problem') {
          yield { kind: 'skipped', error: entry.error };
          continue;
        }
        let settled = this.results.get(seq);
        while (settled === undefined) {
          if (this.threadsFailed) {
            settled = this.readHere(seq, entry);
          } else if (this.readAhead(seq)) {
            await nextTurn();
            settled = this.results.get(seq);
          } else {
            settled = await this.settled(seq);
          }
        }
        this.results.delete(seq);
        if (settled.kind === 'crash') throw settled.error;
        if (settled.kind === 'archive') {
          yield* readInventoryFile(entry.path, entry.root, {
            limits: this.options.limits,
            inventory: { packageCache: this.options.packageCache, ecosystem: this.options.ecosystem, osRelease: this.options.osRelease },
          });
        } else {
          yield settled;
        }
      }
    } finally {
      await this.close();
    }
  }

  /** Files the main thread read itself rather than wait (for tests and diagnostics). */
  get filesReadHere(): number {
    return this.readHereCount;
  }

  /** Stops the threads; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  /** Hands out files up to `ahead` past the one at `seq`, round-robin. */
  private handOut(seq: number): void {
    if (this.threadsFailed) return;
    const limit = Math.min(this.listed.length, seq + this.ahead);
    for (; this.next < limit; this.next++) {
      const entry = this.listed[this.next] as InputFile | InputProblem;
      if (entry.kind !== 'file') continue;
      const thread = this.threads[this.handedOut++ % this.threads.length] as Thread;
      const task: ThreadTask = { seq: this.next, path: entry.path, root: entry.root };
      thread.worker.postMessage(task);
    }
  }

  /**
   * Reads the next file not handed out yet in this thread, unless that is more than twice the
   * read-ahead past `seq` (results wait in memory until the scan gets there). False if none.
   */
  private readAhead(seq: number): boolean {
    const limit = Math.min(this.listed.length, seq + 2 * this.ahead);
    while (this.next < limit) {
      const at = this.next++;
      const entry = this.listed[at] as InputFile | InputProblem;
      if (entry.kind !== 'file') continue;
      this.results.set(at, this.readHere(at, entry));
      return true;
    }
    return false;
  }

  /** Reads a listed file in this thread, as a parser thread would have. */
  private readHere(at: number, entry: InputFile): Settled {
    this.local ??= {
      reader: new InventoryFileReader({ limits: this.options.limits, ecosystem: this.options.ecosystem, osRelease: this.options.osRelease }),
      decoder: new InventoryDecoder(this.options.packageCache),
    };
    this.readHereCount++;
    let reply: ThreadReply;
    try {
      reply = { seq: at, result: this.local.reader.read(entry.path, entry.root) };
    } catch (err) {
      // Raised when the scan reaches this file, as a scan in one thread would.
      return { kind: 'crash', error: err instanceof Error ? err : new Error(String(err)) };
    }
    return this.decode(this.local.decoder, reply);
  }

  /** The result for `seq` once a thread sends it; undefined once the threads have failed. */
  private settled(seq: number): Promise<Settled | undefined> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.waiting = undefined;
        resolve(this.results.get(seq));
      };
      this.waiting = { seq, wake };
      if (this.threadsFailed) wake();
    });
  }

  /**
   * Decodes a reply as it arrives: each thread's replies arrive in the order it made them, which
   * is the order its decoder must see them in.
   */
  private receive(thread: Thread, reply: ThreadReply): void {
    // Decoded even when no longer wanted: the thread's decoder must see every reply, in order.
    const settled = this.decode(thread.decoder, reply);
    if (reply.seq >= this.at && !this.results.has(reply.seq)) this.results.set(reply.seq, settled);
    if (this.waiting?.seq === reply.seq) this.waiting.wake();
  }

  private decode(decoder: InventoryDecoder, reply: ThreadReply): Settled {
    if ('crash' in reply) return { kind: 'crash', error: new Error(reply.crash) };
    const result = reply.result;
    switch (result.kind) {
      case 'archive':
        return result;
      case 'skipped':
        return { kind: 'skipped', error: fromWireError(result.error) };
      case 'parsed':
        return {
          kind: 'parsed',
          result: { format: result.format, inventories: result.hosts.map((h) => decoder.decode(h)), skipped: result.skipped },
        };
    }
  }

  /**
   * A thread died (it could not start, or ran out of memory): what it was given is read again in
   * this thread, so the scan's output is still complete and the same.
   */
  private fail(): void {
    this.threadsFailed = true;
    this.waiting?.wake();
  }
}
