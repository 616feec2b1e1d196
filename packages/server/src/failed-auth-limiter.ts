/**
 * Counts failed authentications per client address in fixed windows, so that guessing API tokens
 * or session cookies is answered 429 after `max` failures a window. Only failures are counted:
 * requests with valid credentials neither count nor are refused. The clock is injected, so tests
 * move time instead of waiting; at most `capacity` addresses are remembered (the least recently
 * failing forgotten first), so a flood from many addresses cannot grow memory without bound.
 */
export class FailedAuthLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly max: number,
    private readonly windowMs: number,
    private readonly clock: () => Date,
    private readonly capacity = 100_000,
  ) {}

  /** Records one failure from `address`; the seconds to wait when it is over the limit, else undefined. */
  fail(address: string): number | undefined {
    const now = this.clock().getTime();
    const held = this.windows.get(address);
    const window = held && now - held.start < this.windowMs ? held : { start: now, count: 0 };
    window.count++;
    // Deleted and set again, so the map's order is the order of last failure.
    this.windows.delete(address);
    this.windows.set(address, window);
    if (this.windows.size > this.capacity) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    if (window.count <= this.max) return undefined;
    return Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
  }
}
