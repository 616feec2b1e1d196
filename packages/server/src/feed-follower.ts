import type { ControlPlane } from './control-plane.js';

export interface FeedFollowerOptions {
  readonly controlPlane: ControlPlane;
  /** How often to look for feed changes committed by other server processes. */
  readonly intervalMs: number;
  readonly log: (line: string) => void;
}

/**
 * Keeps this process's in-memory advisories current with feed changes that other server
 * processes commit to the shared PostgreSQL (their imports and syncs). A look is one indexed
 * query when nothing changed. Only needed on PostgreSQL: PGlite has one process by construction.
 */
export class FeedFollower {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private lastError: string | undefined;

  constructor(private readonly options: FeedFollowerOptions) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.running = this.look();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops looking and waits for a look in flight, so the database can close after. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async look(): Promise<void> {
    try {
      const { names, enrichmentChanged, problems } = await this.options.controlPlane.followFeeds();
      if (names.size > 0 || enrichmentChanged) this.options.log(`feeds changed elsewhere: ${names.size} package names touched${enrichmentChanged ? ', enrichment reloaded' : ''}`);
      for (const p of problems) this.options.log(`warning: ${p}`);
      this.lastError = undefined;
    } catch (err) {
      // Said once per distinct failure, not every interval while the database is away.
      const message = (err as Error).message;
      if (message !== this.lastError) this.options.log(`feed follower: ${message}`);
      this.lastError = message;
    }
  }
}
