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

/** Latencies and errors of one phase, per operation; errors are counted by their PW_ code. */
export class OperationStats {
  private readonly latencies = new Map<Operation, number[]>(OPERATIONS.map((op) => [op, []]));
  private readonly failures = new Map<Operation, number>(OPERATIONS.map((op) => [op, 0]));
  readonly errorCodes = new Map<string, number>();

  /** Runs `work`, timing it; a failure is counted and returned as undefined, never thrown. */
  async time<T>(op: Operation, now: () => number, work: () => Promise<T>): Promise<T | undefined> {
    const started = now();
    try {
      const result = await work();
      (this.latencies.get(op) as number[]).push(now() - started);
      return result;
    } catch (err) {
      // Anything but a PatchwiseError is a bug of the simulator, not a refusal of the server.
      if (!isPatchwiseError(err)) throw err;
      this.failures.set(op, (this.failures.get(op) ?? 0) + 1);
      this.errorCodes.set(err.code, (this.errorCodes.get(err.code) ?? 0) + 1);
      return undefined;
    }
  }

  summary(op: Operation, elapsedMs: number): OperationSummary {
    const sorted = Float64Array.from(this.latencies.get(op) as number[]).sort();
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
}

const round = (x: number): number => Math.round(x * 100) / 100;
