/** How a batch's items are written: one call, one answer per item in the same order. */
export type BatchWriter<In, Out> = (items: readonly In[]) => Promise<readonly Out[]>;

export interface MicroBatcherOptions<In> {
  /** Most items in one batch (one statement's arrays stay bounded). */
  readonly maxBatch?: number;
  /**
   * Items with a key already in the forming batch wait for the next one, so a batch never
   * holds two writes to one row (an UPDATE … FROM would apply only one of them).
   */
  readonly keyOf?: (item: In) => string;
  /**
   * Batches written at once (default 1). Two let one batch's CPU work overlap another's wait on
   * the database; items of one key may then be written by two batches at once, so the writer
   * must order them itself (row locks).
   */
  readonly concurrency?: number;
}

interface Pending<In, Out> {
  readonly item: In;
  readonly resolve: (out: Out) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Group commit for small writes: items submitted while a batch is being written are written
 * together by the next one, in one statement and one transaction. Each caller still waits for
 * its own item to be durable and gets its own answer, so nothing is written behind anyone's
 * back; under load, N concurrent requests cost one round trip and one commit instead of N.
 * When idle, an item is written on the next turn of the event loop (no timer, no added delay
 * beyond the requests that arrived in the same turn).
 */
export class MicroBatcher<In, Out> {
  private queue: Pending<In, Out>[] = [];
  private running = 0;
  private readonly maxBatch: number;
  private readonly concurrency: number;

  constructor(
    private readonly write: BatchWriter<In, Out>,
    private readonly options: MicroBatcherOptions<In> = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  /** Queues one item; resolves with its answer once the batch holding it is written. */
  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.running < this.concurrency) {
        this.running++;
        // Requests parsed in the same event-loop turn join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.take();
      try {
        const answers = await this.write(batch.map((p) => p.item));
        if (answers.length !== batch.length) throw new Error(`a batch writer answered ${answers.length} of ${batch.length} items`);
        batch.forEach((p, i) => p.resolve(answers[i] as Out));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.running--;
  }

  /** The next batch: oldest first, at most maxBatch, at most one item per key. */
  private take(): Pending<In, Out>[] {
    const keyOf = this.options.keyOf;
    if (!keyOf) return this.queue.splice(0, this.maxBatch);
    const batch: Pending<In, Out>[] = [];
    const rest: Pending<In, Out>[] = [];
    const keys = new Set<string>();
    for (const p of this.queue) {
      const key = keyOf(p.item);
      if (batch.length < this.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(p);
      } else rest.push(p);
    }
    this.queue = rest;
    return batch;
  }
}
