import { describe, expect, it } from 'vitest';
import { freezeSpan, parseFreeze } from './freeze.js';
import { parseMaintenanceWindow, type MaintenanceWindow } from './maintenance-window.js';
import { openingsBetween } from './openings.js';
import { describeStartDecision, nextStart, scheduleForHost, startDecision } from './start-decision.js';
import { WindowCalendar, type MaintenanceSchedule, type StartDecision } from './window-calendar.js';

const window = (over: Record<string, unknown>): MaintenanceWindow => parseMaintenanceWindow({ name: 'saturday', rrule: 'FREQ=WEEKLY;BYDAY=SA', start: '02:00', durationMinutes: 240, cutoffMinutes: 30, ...over }, 'window');
const freeze = (over: Record<string, unknown>) => parseFreeze({ name: 'freeze', reason: 'release weekend', ...over }, 'freeze');
const at = (text: string) => new Date(text);
const iso = (d: Date | null) => d?.toISOString().replace(':00.000Z', 'Z') ?? null;

/** The decision without the objects, for readable expectations. */
function plain(d: StartDecision) {
  return d.canStart ? { canStart: true, window: d.window.name, closesAt: iso(d.closesAt) } : { canStart: false, reason: d.reason, nextStart: iso(d.nextStart), freeze: d.freeze?.name ?? null };
}

// Saturdays in June 2026: 6, 13, 20, 27; openings 02:00–06:00 UTC, starts until 05:30.
const saturday = window({});
const only = (...windows: MaintenanceWindow[]): MaintenanceSchedule => ({ windows, freezes: [] });

describe('startDecision', () => {
  it('allows starts from the opening until its cutoff, then says past-cutoff, then outside-window, each with the next start', () => {
    expect(plain(startDecision(only(saturday), null, at('2026-06-06T02:00:00Z')))).toEqual({ canStart: true, window: 'saturday', closesAt: '2026-06-06T05:30Z' });
    expect(plain(startDecision(only(saturday), null, at('2026-06-06T05:29:59Z')))).toEqual({ canStart: true, window: 'saturday', closesAt: '2026-06-06T05:30Z' });
    expect(plain(startDecision(only(saturday), null, at('2026-06-06T05:30:00Z')))).toEqual({ canStart: false, reason: 'past-cutoff', nextStart: '2026-06-13T02:00Z', freeze: null });
    expect(plain(startDecision(only(saturday), null, at('2026-06-06T06:00:00Z')))).toEqual({ canStart: false, reason: 'outside-window', nextStart: '2026-06-13T02:00Z', freeze: null });
    expect(plain(startDecision(only(saturday), null, at('2026-06-06T01:59:59Z')))).toEqual({ canStart: false, reason: 'outside-window', nextStart: '2026-06-06T02:00Z', freeze: null });
  });

  it('closes at the next freeze when it starts before the cutoff, and says frozen inside it', () => {
    const release = freeze({ start: '2026-06-06T04:00:00Z', end: '2026-06-13T03:00:00Z' });
    const schedule = { windows: [saturday], freezes: [release] };
    expect(plain(startDecision(schedule, null, at('2026-06-06T03:00:00Z')))).toEqual({ canStart: true, window: 'saturday', closesAt: '2026-06-06T04:00Z' });
    // Frozen until 03:00 next Saturday, which is inside that day's opening: the next start is the freeze's end.
    expect(plain(startDecision(schedule, null, at('2026-06-06T04:00:00Z')))).toEqual({ canStart: false, reason: 'frozen', nextStart: '2026-06-13T03:00Z', freeze: 'freeze' });
    // Frozen outside a window still says frozen: the freeze is the news.
    expect(plain(startDecision(schedule, null, at('2026-06-10T12:00:00Z')))).toMatchObject({ reason: 'frozen', nextStart: '2026-06-13T03:00Z' });
    // A freeze past an opening's cutoff skips the opening altogether.
    const longer = { windows: [saturday], freezes: [freeze({ start: '2026-06-06T01:00:00Z', end: '2026-06-13T05:45:00Z' })] };
    expect(iso(nextStart(longer, null, at('2026-06-06T00:00:00Z')))).toBe('2026-06-20T02:00Z');
  });

  it('reads date-only freezes as the host’s local days unless they name a zone', () => {
    const christmas = freeze({ start: '2026-12-24', end: '2026-12-26' });
    expect([freezeSpan(christmas, 'Europe/Berlin').start, freezeSpan(christmas, 'Europe/Berlin').end].map(iso)).toEqual(['2026-12-23T23:00Z', '2026-12-26T23:00Z']);
    expect([freezeSpan(christmas, null).start, freezeSpan(christmas, null).end].map(iso)).toEqual(['2026-12-24T00:00Z', '2026-12-27T00:00Z']);
    const nyc = freeze({ start: '2026-12-24', end: '2026-12-26', timeZone: 'America/New_York' });
    expect(iso(freezeSpan(nyc, 'Asia/Tokyo').start)).toBe('2026-12-24T05:00Z');
    // A daily 23:30 window in Berlin: the 23 December opening starts before the freeze (22:30Z), the rest are frozen.
    const nightly = window({ name: 'nightly', rrule: 'FREQ=DAILY', start: '23:30', durationMinutes: 60, cutoffMinutes: 0 });
    const schedule = { windows: [nightly], freezes: [christmas] };
    expect(plain(startDecision(schedule, 'Europe/Berlin', at('2026-12-23T22:40:00Z')))).toEqual({ canStart: true, window: 'nightly', closesAt: '2026-12-23T23:00Z' });
    expect(plain(startDecision(schedule, 'Europe/Berlin', at('2026-12-23T23:10:00Z')))).toEqual({ canStart: false, reason: 'frozen', nextStart: '2026-12-26T23:00Z', freeze: 'freeze' });
    // In UTC the freeze ends an hour later, at midnight, inside the opening of the 26th (23:30–00:30).
    expect(iso(nextStart(schedule, 'UTC', at('2026-12-24T00:00:00Z')))).toBe('2026-12-27T00:00Z');
  });

  it('follows the host’s time zone for a window without its own', () => {
    const tokyo = 'Asia/Tokyo';
    // 02:00 on Saturday in Tokyo is 17:00 UTC on Friday.
    expect(plain(startDecision(only(saturday), tokyo, at('2026-06-05T17:00:00Z')))).toEqual({ canStart: true, window: 'saturday', closesAt: '2026-06-05T20:30Z' });
    expect(plain(startDecision(only(saturday), null, at('2026-06-05T17:00:00Z')))).toMatchObject({ reason: 'outside-window', nextStart: '2026-06-06T02:00Z' });
    const berlin = window({ timeZone: 'Europe/Berlin' });
    expect(plain(startDecision(only(berlin), tokyo, at('2026-06-06T00:00:00Z')))).toEqual({ canStart: true, window: 'saturday', closesAt: '2026-06-06T03:30Z' });
  });

  it('answers no-window and a null next start for a host without windows', () => {
    const none = { windows: [], freezes: [freeze({ start: '2026-06-06', end: '2026-06-07' })] };
    expect(plain(startDecision(none, null, at('2026-06-06T03:00:00Z')))).toEqual({ canStart: false, reason: 'no-window', nextStart: null, freeze: null });
    expect(nextStart(none, null, at('2026-06-06T03:00:00Z'))).toBeNull();
  });

  it('ends with a COUNT: no next start after the last opening', () => {
    const three = window({ name: 'three', rrule: 'FREQ=WEEKLY;BYDAY=SA;COUNT=3', startDate: '2026-06-01' });
    expect(iso(nextStart(only(three), null, at('2026-06-14T00:00:00Z')))).toBe('2026-06-20T02:00Z');
    expect(plain(startDecision(only(three), null, at('2026-06-21T00:00:00Z')))).toEqual({ canStart: false, reason: 'outside-window', nextStart: null, freeze: null });
    expect(describeStartDecision(startDecision(only(three), null, at('2026-06-21T00:00:00Z')))).toBe('outside every maintenance window; no opening within the horizon');
  });

  it('looks no further than the horizon', () => {
    const leapDay = window({ name: 'leap', rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29' });
    expect(nextStart(only(leapDay), null, at('2026-03-01T00:00:00Z'))).toBeNull();
    expect(iso(nextStart(only(leapDay), null, at('2026-03-01T00:00:00Z'), 1200))).toBe('2028-02-29T02:00Z');
  });

  it('of overlapping windows takes the one open longest, and starts at the earliest of several', () => {
    const long = window({ name: 'long', rrule: 'FREQ=DAILY', start: '01:00', durationMinutes: 600, cutoffMinutes: 60 });
    const both = only(saturday, long);
    expect(plain(startDecision(both, null, at('2026-06-06T03:00:00Z')))).toEqual({ canStart: true, window: 'long', closesAt: '2026-06-06T10:00Z' });
    expect(iso(nextStart(both, null, at('2026-06-06T00:00:00Z')))).toBe('2026-06-06T01:00Z');
    expect(describeStartDecision(startDecision(both, null, at('2026-06-06T03:00:00Z')))).toBe('may start in window long until 2026-06-06T10:00:00.000Z');
  });

  it('selects what applies to a host by its groups (empty groups: every host)', () => {
    const everyone = window({ name: 'everyone' });
    const web = window({ name: 'web', groups: ['web'] });
    const dbFreeze = freeze({ name: 'db', start: '2026-06-06', end: '2026-06-06', groups: ['db'] });
    const picked = scheduleForHost({ windows: [everyone, web], freezes: [dbFreeze] }, (g) => g === 'web');
    expect([picked.windows.map((w) => w.name), picked.freezes]).toEqual([['everyone', 'web'], []]);
  });
});

describe('WindowCalendar', () => {
  it('answers exactly as the one-off functions, for many hosts, zones and moments, from one memo', () => {
    const windows = [
      window({ name: 'patch-tuesday', rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', offsetDays: 4, start: '22:00' }),
      window({ name: 'nightly', rrule: 'FREQ=DAILY;BYDAY=MO,TU,WE,TH', start: '01:30', durationMinutes: 120, cutoffMinutes: 20 }),
      window({ name: 'berlin', rrule: 'FREQ=WEEKLY;BYDAY=SU', start: '02:30', timeZone: 'Europe/Berlin' }),
    ];
    const freezes = [freeze({ name: 'year-end', start: '2026-12-20', end: '2027-01-03' }), freeze({ name: 'release', start: '2026-11-05T08:00:00Z', end: '2026-11-09T08:00:00Z' })];
    const zones = [null, 'UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Kiritimati'];
    const calendar = new WindowCalendar();
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const zone = zones[i % zones.length]!;
      const schedule = { windows: windows.filter((_, k) => (i >> k) & 1 || k === 0), freezes: i % 2 ? freezes : [] };
      const t = new Date(Date.UTC(2026, 9, 1) + Math.floor(random() * 120 * 86_400_000));
      expect(plain(calendar.startDecision(schedule, zone, t)), `${zone} ${t.toISOString()}`).toEqual(plain(startDecision(schedule, zone, t)));
      expect(calendar.nextStart(schedule, zone, t)).toEqual(nextStart(schedule, zone, t));
      const to = new Date(t.getTime() + 20 * 86_400_000);
      for (const w of windows) expect(calendar.openingsBetween(w, zone, t, to)).toEqual(openingsBetween(w, zone, t, to));
    }
  });

  it('extends its memo backwards and forwards without losing or repeating an opening', () => {
    const daily = window({ name: 'daily', rrule: 'FREQ=DAILY', start: '23:00', durationMinutes: 180, cutoffMinutes: 0 });
    const calendar = new WindowCalendar();
    const fresh = (from: string, to: string) => new WindowCalendar().openingsBetween(daily, 'Europe/Berlin', at(from), at(to)).map((o) => iso(o.start));
    const memo = (from: string, to: string) => calendar.openingsBetween(daily, 'Europe/Berlin', at(from), at(to)).map((o) => iso(o.start));
    expect(memo('2026-06-01T00:00:00Z', '2026-06-03T00:00:00Z')).toEqual(fresh('2026-06-01T00:00:00Z', '2026-06-03T00:00:00Z'));
    expect(memo('2026-03-20T00:00:00Z', '2026-04-02T00:00:00Z')).toEqual(fresh('2026-03-20T00:00:00Z', '2026-04-02T00:00:00Z'));
    expect(memo('2026-10-20T00:00:00Z', '2026-11-02T00:00:00Z')).toEqual(fresh('2026-10-20T00:00:00Z', '2026-11-02T00:00:00Z'));
    const all = memo('2026-03-01T00:00:00Z', '2026-12-01T00:00:00Z');
    expect(all).toEqual(fresh('2026-03-01T00:00:00Z', '2026-12-01T00:00:00Z'));
    // Every day from 1 March to 30 November, and 28 February's, still open at midnight UTC.
    expect([all.length, new Set(all).size, all[0]]).toEqual([276, 276, '2026-02-28T22:00Z']);
  });
});
