import { freezeSpan, isDateOnly, type Freeze, type TimeSpan } from './freeze.js';
import { windowTimeZone, type MaintenanceWindow } from './maintenance-window.js';
import { openingsBetween, type Opening } from './openings.js';

/** What applies to one host: the windows and freezes its groups select (the caller decides which). */
export interface MaintenanceSchedule {
  readonly windows: readonly MaintenanceWindow[];
  readonly freezes: readonly Freeze[];
}

/**
 * Why a host may not start now. `frozen` wins over the others whenever a freeze covers the
 * moment; `past-cutoff` means an opening is still open but in its last minutes.
 */
export type StartRefusal = 'no-window' | 'outside-window' | 'past-cutoff' | 'frozen';
export const START_REFUSALS: readonly StartRefusal[] = ['no-window', 'outside-window', 'past-cutoff', 'frozen'];

/**
 * Whether a host may start a job at a moment. When it may, `closesAt` is the end of the chance:
 * the opening's cutoff, or the next freeze's start when that comes first. When it may not,
 * `nextStart` is the next moment it may (null: none within the horizon, or no window at all).
 */
export type StartDecision =
  | { readonly canStart: true; readonly window: MaintenanceWindow; readonly opening: Opening; readonly closesAt: Date }
  | { readonly canStart: false; readonly reason: StartRefusal; readonly nextStart: Date | null; readonly freeze: Freeze | null };

/** How far ahead `nextStart` looks before it answers null. */
export const NEXT_START_HORIZON_DAYS = 400;

const DAY_MS = 86_400_000;
/** Openings are computed in slices of this many days: enough for a monthly window's next date. */
const CHUNK_DAYS = 35;

/** The openings of one window in one zone, computed for [lo, hi): all that overlap it, by start. */
interface Covered {
  lo: number;
  hi: number;
  openings: Opening[];
}

interface FreezeSpan extends TimeSpan {
  readonly freeze: Freeze;
}

/**
 * Openings memoised per (window, time zone): a plan of 100,000 hosts over a few windows and
 * zones computes each window's openings once per zone it meets, then answers every host by
 * binary search. Freeze spans are memoised per (freeze, zone) the same way. Windows and freezes
 * are keyed by object identity, so keep one set of objects for a plan; the memo only grows,
 * so use one calendar per plan (or per engine tick), not forever.
 */
export class WindowCalendar {
  private readonly memo = new WeakMap<MaintenanceWindow, Map<string, Covered>>();
  private readonly spans = new WeakMap<Freeze, Map<string, FreezeSpan>>();

  /** As the pure `openingsBetween`, from the memo. */
  openingsBetween(window: MaintenanceWindow, hostTimeZone: string | null | undefined, from: Date, to: Date): Opening[] {
    const c = this.cover(window, hostTimeZone, from.getTime(), to.getTime());
    const [i, j] = overlapRange(c.openings, from.getTime(), to.getTime());
    return c.openings.slice(i, j);
  }

  /** Whether a host in `hostTimeZone` under `schedule` may start at `at`; see `StartDecision`. */
  startDecision(schedule: MaintenanceSchedule, hostTimeZone: string | null | undefined, at: Date): StartDecision {
    if (schedule.windows.length === 0) return { canStart: false, reason: 'no-window', nextStart: null, freeze: null };
    const t = at.getTime();
    const spans = this.freezeSpans(schedule.freezes, hostTimeZone);
    const frozen = spans.find((s) => s.start.getTime() <= t && t < s.end.getTime());
    let best: Opening | null = null;
    let open = false;
    for (const window of schedule.windows) {
      const c = this.cover(window, hostTimeZone, t, t + 1);
      const [i, j] = overlapRange(c.openings, t, t + 1);
      for (let k = i; k < j; k++) {
        const o = c.openings[k]!;
        open = true;
        // Of several openings (overlapping windows), the one that lets starts go on longest.
        if (t < o.cutoff.getTime() && (!best || o.cutoff.getTime() > best.cutoff.getTime())) best = o;
      }
    }
    if (frozen) return { canStart: false, reason: 'frozen', nextStart: this.nextStart(schedule, hostTimeZone, at), freeze: frozen.freeze };
    if (best) {
      let closesAt = best.cutoff.getTime();
      for (const s of spans) if (s.start.getTime() > t && s.start.getTime() < closesAt) closesAt = s.start.getTime();
      return { canStart: true, window: best.window, opening: best, closesAt: new Date(closesAt) };
    }
    return { canStart: false, reason: open ? 'past-cutoff' : 'outside-window', nextStart: this.nextStart(schedule, hostTimeZone, at), freeze: null };
  }

  /**
   * The earliest instant at or after `after` at which a start is allowed: inside an opening,
   * before its cutoff, outside every freeze. Null when there is none within `horizonDays`.
   */
  nextStart(schedule: MaintenanceSchedule, hostTimeZone: string | null | undefined, after: Date, horizonDays = NEXT_START_HORIZON_DAYS): Date | null {
    if (schedule.windows.length === 0) return null;
    const t0 = after.getTime();
    const limit = t0 + horizonDays * DAY_MS;
    const spans = this.freezeSpans(schedule.freezes, hostTimeZone);
    let best = Infinity;
    // Slice by slice, so a host whose window opens tomorrow costs one slice, not the horizon.
    for (let a = t0; a < limit && a < best; a += CHUNK_DAYS * DAY_MS) {
      const b = Math.min(limit, a + CHUNK_DAYS * DAY_MS);
      for (const window of schedule.windows) {
        const c = this.cover(window, hostTimeZone, a, b);
        const [i, j] = overlapRange(c.openings, a, b);
        for (let k = i; k < j; k++) {
          const o = c.openings[k]!;
          if (o.start.getTime() >= best) break;
          const candidate = pastFreezes(Math.max(o.start.getTime(), t0), spans);
          if (candidate < o.cutoff.getTime() && candidate < best) best = candidate;
        }
      }
    }
    return best < limit ? new Date(best) : null;
  }

  private cover(window: MaintenanceWindow, hostTimeZone: string | null | undefined, from: number, to: number): Covered {
    const zone = windowTimeZone(window, hostTimeZone);
    let byZone = this.memo.get(window);
    if (!byZone) {
      byZone = new Map();
      this.memo.set(window, byZone);
    }
    const chunk = CHUNK_DAYS * DAY_MS;
    let c = byZone.get(zone);
    if (!c) {
      const hi = Math.max(to, from + chunk);
      c = { lo: from, hi, openings: openingsBetween(window, zone, new Date(from), new Date(hi)) };
      byZone.set(zone, c);
      return c;
    }
    if (from < c.lo) {
      const lo = Math.min(from, c.lo - chunk);
      c.openings = merge(openingsBetween(window, zone, new Date(lo), new Date(c.lo)), c.openings);
      c.lo = lo;
    }
    if (to > c.hi) {
      const hi = Math.max(to, c.hi + chunk);
      c.openings = merge(c.openings, openingsBetween(window, zone, new Date(c.hi), new Date(hi)));
      c.hi = hi;
    }
    return c;
  }

  private freezeSpans(freezes: readonly Freeze[], hostTimeZone: string | null | undefined): FreezeSpan[] {
    const out: FreezeSpan[] = [];
    for (const freeze of freezes) {
      // Instants and zoned days are the same for every host: one entry serves them all.
      const key = isDateOnly(freeze) && freeze.timeZone === undefined ? (hostTimeZone ?? 'UTC') : '';
      let byZone = this.spans.get(freeze);
      if (!byZone) {
        byZone = new Map();
        this.spans.set(freeze, byZone);
      }
      let span = byZone.get(key);
      if (!span) {
        span = { ...freezeSpan(freeze, hostTimeZone), freeze };
        byZone.set(key, span);
      }
      out.push(span);
    }
    return out;
  }
}

/** Indexes [i, j) of the openings overlapping [from, to). Ends rise with starts: one window's openings all last the same. */
function overlapRange(openings: readonly Opening[], from: number, to: number): [number, number] {
  let lo = 0;
  let hi = openings.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (openings[mid]!.end.getTime() <= from) lo = mid + 1;
    else hi = mid;
  }
  const i = lo;
  hi = openings.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (openings[mid]!.start.getTime() < to) lo = mid + 1;
    else hi = mid;
  }
  return [i, lo];
}

/** Two sorted lists of one window's openings as one, each opening once (they meet at the seam). */
function merge(a: readonly Opening[], b: readonly Opening[]): Opening[] {
  const seen = new Set<number>();
  return [...a, ...b]
    .filter((o) => !seen.has(o.start.getTime()) && seen.add(o.start.getTime()))
    .sort((x, y) => x.start.getTime() - y.start.getTime());
}

/** `t`, or the end of the freeze covering it (repeatedly: freezes may chain or overlap). */
function pastFreezes(t: number, spans: readonly FreezeSpan[]): number {
  for (let moved = true; moved; ) {
    moved = false;
    for (const s of spans) {
      if (s.start.getTime() <= t && t < s.end.getTime()) {
        t = s.end.getTime();
        moved = true;
      }
    }
  }
  return t;
}
