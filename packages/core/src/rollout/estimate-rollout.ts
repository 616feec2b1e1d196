import type { RolloutStrategy } from './strategy.js';
import { amountOf } from './strategy.js';

export interface RolloutEstimate {
  readonly waves: readonly { readonly hosts: number; readonly start: Date | null; readonly finish: Date | null; readonly unschedulable: number }[];
  /** Per host: its wave (0 = canary) and expected start and finish; null times when no window opens within the horizon. */
  readonly hosts: ReadonlyMap<string, { readonly wave: number; readonly start: Date | null; readonly finish: Date | null }>;
  readonly finish: Date | null;
}

export interface EstimateOptions {
  readonly now: Date;
  /** Expected minutes per job (install, checks, reboot). */
  readonly jobMinutes: number;
  /** The earliest instant at or after `after` when the host may start (its windows and freezes); null: never. */
  readonly nextStart: (hostId: string, after: Date) => Date | null;
}

/**
 * The dry run's timeline: each wave starts when the previous one finished and soaked; within a
 * wave, hosts start at their window's next opening, at most `concurrency` at a time, each taking
 * `jobMinutes`. It assumes every job succeeds and ignores cluster limits, so it is the earliest
 * the deployment can finish, not a promise.
 */
export function estimateRollout(waves: readonly (readonly { readonly id: string }[])[], strategy: RolloutStrategy, o: EstimateOptions): RolloutEstimate {
  const total = waves.reduce((n, w) => n + w.length, 0);
  const concurrency = Math.max(1, amountOf(strategy.concurrency, total));
  const jobMs = o.jobMinutes * 60_000;
  const soakMs = strategy.blitz ? 0 : strategy.soakMinutes * 60_000;
  const hosts = new Map<string, { wave: number; start: Date | null; finish: Date | null }>();
  const out: { hosts: number; start: Date | null; finish: Date | null; unschedulable: number }[] = [];
  let waveStart: number | null = o.now.getTime();
  for (let w = 0; w < waves.length; w++) {
    const wave = waves[w]!;
    if (waveStart === null) {
      for (const h of wave) hosts.set(h.id, { wave: w, start: null, finish: null });
      out.push({ hosts: wave.length, start: null, finish: null, unschedulable: wave.length });
      continue;
    }
    const from: Date = new Date(waveStart);
    const ready: { id: string; at: number | null }[] = wave.map((h) => ({ id: h.id, at: o.nextStart(h.id, from)?.getTime() ?? null })).sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
    const slots = new MinHeap();
    for (let i = 0; i < Math.min(concurrency, wave.length); i++) slots.push(waveStart);
    let first: number | null = null;
    let last: number | null = null;
    let unschedulable = 0;
    for (const h of ready) {
      if (h.at === null) {
        hosts.set(h.id, { wave: w, start: null, finish: null });
        unschedulable++;
        continue;
      }
      const free = slots.pop();
      const start: number | null = free <= h.at ? h.at : o.nextStart(h.id, new Date(free))?.getTime() ?? null;
      if (start === null) {
        slots.push(free);
        hosts.set(h.id, { wave: w, start: null, finish: null });
        unschedulable++;
        continue;
      }
      const finish: number = start + jobMs;
      slots.push(finish);
      hosts.set(h.id, { wave: w, start: new Date(start), finish: new Date(finish) });
      first = first === null ? start : Math.min(first, start);
      last = last === null ? finish : Math.max(last, finish);
    }
    out.push({ hosts: wave.length, start: first === null ? null : new Date(first), finish: last === null ? null : new Date(last), unschedulable });
    // A wave with a host that can never start never finishes, so later waves never start.
    waveStart = unschedulable > 0 || last === null ? null : last + soakMs;
  }
  const finishes = out.map((w) => w.finish);
  const finish = finishes.length > 0 && finishes.every((f) => f !== null) ? finishes[finishes.length - 1]! : null;
  return { waves: out, hosts, finish };
}

/** A binary min-heap of numbers: the next free job slot. */
class MinHeap {
  private readonly items: number[] = [];

  push(value: number): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]! <= a[i]!) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const end = a.pop()!;
    if (a.length > 0) {
      a[0] = end;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
