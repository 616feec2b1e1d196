/** A rate limit: at most `maxRequests` started in any `perMs`, and at least `minSpacingMs` between two starts. */
export interface PaceLimits {
  readonly maxRequests: number;
  readonly perMs: number;
  readonly minSpacingMs: number;
}

/**
 * NVD's public limit is 5 requests in a rolling 30 s, and it asks clients without a key to sleep
 * about 6 s between requests; with an API key the limit is 50 in 30 s.
 */
export const NVD_PUBLIC_PACE: PaceLimits = { maxRequests: 5, perMs: 30_000, minSpacingMs: 6_000 };
export const NVD_KEYED_PACE: PaceLimits = { maxRequests: 50, perMs: 30_000, minSpacingMs: 600 };

/** Waits `ms` (the pacer's only way to pass time); rejects when `signal` aborts. */
export type Sleeper = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Spaces requests to a rate-limited service. Each `acquire` waits, through the injected sleeper,
 * until one more request fits the limits, then counts it as started. Time comes from the injected
 * clock, so tests pass it without waiting. One pacer per service and credential: requests of
 * several sources to the same API share its limit.
 */
export class RequestPacer {
  /** Start times (ms) of the requests within the last `perMs`, oldest first. */
  private readonly starts: number[] = [];

  constructor(
    private readonly limits: PaceLimits,
    private readonly now: () => number,
    private readonly sleep: Sleeper,
  ) {}

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.starts.length > 0 && (this.starts[0] as number) <= t - this.limits.perMs) this.starts.shift();
      const last = this.starts.at(-1);
      const spacing = last === undefined ? 0 : last + this.limits.minSpacingMs - t;
      const window = this.starts.length >= this.limits.maxRequests ? (this.starts[0] as number) + this.limits.perMs - t : 0;
      const wait = Math.max(spacing, window);
      if (wait <= 0) {
        this.starts.push(t);
        return;
      }
      await this.sleep(wait, signal);
    }
  }
}
