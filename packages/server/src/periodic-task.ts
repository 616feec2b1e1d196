/**
 * Runs `run` every `intervalMs` on an unref'd timer (it never keeps the process alive), one run
 * at a time. A failure is logged once per distinct message, not every interval while, say, the
 * database is away; the next run simply tries again.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private lastError: string | undefined;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly run: () => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      this.running = this.running.then(() => this.once());
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in flight, so the database can close after it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async once(): Promise<void> {
    try {
      await this.run();
      this.lastError = undefined;
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.lastError) this.log(`${this.name}: ${message}`);
      this.lastError = message;
    }
  }
}
