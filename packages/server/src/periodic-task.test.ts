import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeriodicTask } from './periodic-task.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('PeriodicTask', () => {
  it('runs on its interval, one run at a time, and logs a repeated failure once', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    let runs = 0;
    const failures = ['database down', 'database down', 'disk full'];
    const run = () => {
      runs++;
      const failure = failures.shift();
      return failure ? Promise.reject(new Error(failure)) : Promise.resolve();
    };
    const task = new PeriodicTask('pruning', 1000, run, (line) => log.push(line));
    task.start();
    task.start(); // idempotent: still one timer
    await vi.advanceTimersByTimeAsync(4000);
    await task.stop();
    expect(runs).toBe(4);
    expect(log).toEqual(['pruning: database down', 'pruning: disk full']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(4); // stopped
  });

  it('stop waits for the run in flight', async () => {
    vi.useFakeTimers();
    let finished = false;
    const task = new PeriodicTask('slow', 10, async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      finished = true;
    }, () => undefined);
    task.start();
    await vi.advanceTimersByTimeAsync(10);
    const stopped = task.stop();
    await vi.advanceTimersByTimeAsync(500);
    await stopped;
    expect(finished).toBe(true);
  });
});
