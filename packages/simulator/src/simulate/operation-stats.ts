import { isPatchwiseError } from '@patchwise/core';

/** What the simulator does against the API. */
export type Operation = 'enroll' | 'checkin' | 'inventory';
export const OPERATIONS: readonly Operation[] = ['enroll', 'checkin', 'inventory'];

/** Counts, rate and latency of one operation in one phase. */
export interface OperationSummary {
  readonly count: number;
  readonly errors: number;
  /** Successful operations per second of the phase's wall-clock time. */
  readonly perSecond: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/**
 * Latencies and errors of one phase, per operation; errors are counted by their PW_ code. The
 * operations are the check-in loop's by default; the job poller counts its own ('jobs',
 * 'report'), and a benchmark may record any durations it measures itself (`record`).
 */
export class OperationStats<Op extends string = Operation> {
  private readonly latencies: Map<Op, number[]>;
  private readonly failures: Map<Op, number>;
  readonly errorCodes = new Map<string, number>();

  constructor(operations: readonly Op[] = OPERATIONS as readonly string[] as readonly Op[]) {
    this.latencies = new Map(operations.map((op) => [op, []]));
    this.failures = new Map(operations.map((op) => [op, 0]));
  }

  /** Adds one successful operation that took `ms` (measured by the caller). */
  record(op: Op, ms: number): void {
    this.latenciesOf(op).push(ms);
  }

  /** Runs `work`, timing it; a failure is counted and returned as undefined, never thrown. */
  async time<T>(op: Op, now: () => number, work: () => Promise<T>): Promise<T | undefined> {
    const started = now();
    try {
      const result = await work();
      this.latenciesOf(op).push(now() - started);
      return result;
    } catch (err) {
      // Anything but a PatchwiseError is a bug of the simulator, not a refusal of the server.
      if (!isPatchwiseError(err)) throw err;
      this.failures.set(op, (this.failures.get(op) ?? 0) + 1);
      this.errorCodes.set(err.code, (this.errorCodes.get(err.code) ?? 0) + 1);
      return undefined;
    }
  }

  summary(op: Op, elapsedMs: number): OperationSummary {
    const sorted = Float64Array.from(this.latencies.get(op) ?? []).sort();
    const at = (q: number): number | null => (sorted.length === 0 ? null : round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number));
    return {
      count: sorted.length,
      errors: this.failures.get(op) ?? 0,
      perSecond: elapsedMs > 0 ? round((sorted.length * 1000) / elapsedMs) : 0,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: sorted.length === 0 ? null : round(sorted[sorted.length - 1] as number),
    };
  }

  private latenciesOf(op: Op): number[] {
    let list = this.latencies.get(op);
    if (!list) this.latencies.set(op, (list = []));
    return list;
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;
