import { describe, expect, it } from 'vitest';
import { parseMaintenanceWindow, type MaintenanceWindow } from './maintenance-window.js';
import { openingsBetween } from './openings.js';

const window = (over: Record<string, unknown>): MaintenanceWindow => parseMaintenanceWindow({ name: 'w', rrule: 'FREQ=DAILY', start: '02:00', durationMinutes: 60, ...over }, 'window');
const iso = (d: Date) => d.toISOString().replace(':00.000Z', 'Z');
const starts = (w: MaintenanceWindow, zone: string | null, from: string, to: string) => openingsBetween(w, zone, new Date(from), new Date(to)).map((o) => iso(o.start));

describe('openingsBetween', () => {
  it('places the second Tuesday + N days month after month, also when +N runs into the next month', () => {
    // Second Tuesdays of 2026: Jan 13, Feb 10, Mar 10, Apr 14, May 12, Jun 9.
    const plus4 = window({ rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', offsetDays: 4, start: '22:00', durationMinutes: 240 });
    expect(starts(plus4, null, '2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z')).toEqual(['2026-01-17T22:00Z', '2026-02-14T22:00Z', '2026-03-14T22:00Z', '2026-04-18T22:00Z', '2026-05-16T22:00Z', '2026-06-13T22:00Z']);
    const plus20 = window({ rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', offsetDays: 20, start: '22:00', durationMinutes: 240 });
    expect(starts(plus20, null, '2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z')).toEqual(['2026-02-02T22:00Z', '2026-03-02T22:00Z', '2026-03-30T22:00Z', '2026-05-04T22:00Z', '2026-06-01T22:00Z', '2026-06-29T22:00Z']);
    // Into the next year: December 8 + 25 days is January 2; January's own comes later.
    const plus25 = window({ rrule: 'FREQ=MONTHLY;BYDAY=2TU', offsetDays: 25, start: '06:00' });
    expect(starts(plus25, null, '2026-12-20T00:00:00Z', '2027-02-10T00:00:00Z')).toEqual(['2027-01-02T06:00Z', '2027-02-06T06:00Z']);
    // Negative: the Sunday before the second Tuesday.
    const before = window({ rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', offsetDays: -2, start: '08:00' });
    expect(starts(before, null, '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z')).toEqual(['2026-01-11T08:00Z', '2026-02-08T08:00Z']);
  });

  it('holds the local start time through the Europe/Berlin DST weeks; a start the clocks skip moves forward, a repeated one is the later', () => {
    const nightly = window({ start: '02:30', timeZone: 'Europe/Berlin' });
    // Clocks go forward on Sunday 29 March 02:00 → 03:00: 02:30 does not exist and opens at 03:30 CEST.
    expect(starts(nightly, null, '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual(['2026-03-27T01:30Z', '2026-03-28T01:30Z', '2026-03-29T01:30Z', '2026-03-30T00:30Z']);
    // Clocks go back on Sunday 25 October 03:00 → 02:00: 02:30 happens twice; the later (CET) counts.
    expect(starts(nightly, null, '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z')).toEqual(['2026-10-24T00:30Z', '2026-10-25T01:30Z', '2026-10-26T01:30Z']);
    // The duration is elapsed time: six hours from 22:00 CEST end at 03:00 CET, six hours later.
    const evening = window({ start: '22:00', durationMinutes: 360, timeZone: 'Europe/Berlin' });
    const [o] = openingsBetween(evening, null, new Date('2026-10-24T12:00:00Z'), new Date('2026-10-25T00:00:00Z'));
    expect([iso(o!.start), iso(o!.end), o!.end.getTime() - o!.start.getTime()]).toEqual(['2026-10-24T20:00Z', '2026-10-25T02:00Z', 6 * 3600_000]);
  });

  it('holds the local start time through the America/New_York DST weeks', () => {
    const nightly = window({ start: '02:30', timeZone: 'America/New_York' });
    // Forward on Sunday 8 March: 02:30 EST does not exist, 03:30 EDT is the same instant as 02:30 EST.
    expect(starts(nightly, null, '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual(['2026-03-07T07:30Z', '2026-03-08T07:30Z', '2026-03-09T06:30Z']);
    const early = window({ start: '01:30', timeZone: 'America/New_York' });
    // Back on Sunday 1 November: 01:30 happens in EDT and again in EST; the EST one counts.
    expect(starts(early, null, '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z')).toEqual(['2026-10-31T05:30Z', '2026-11-01T06:30Z', '2026-11-02T06:30Z']);
  });

  it('takes the window’s own time zone over the host’s, and the host’s over UTC', () => {
    const hostLocal = window({ rrule: 'FREQ=WEEKLY;BYDAY=SA', start: '01:00' });
    const from = '2026-06-05T00:00:00Z';
    const to = '2026-06-08T00:00:00Z';
    expect(starts(hostLocal, null, from, to)).toEqual(['2026-06-06T01:00Z']);
    expect(starts(hostLocal, 'Asia/Tokyo', from, to)).toEqual(['2026-06-05T16:00Z']);
    expect(starts(hostLocal, 'America/New_York', from, to)).toEqual(['2026-06-06T05:00Z']);
    const berlin = window({ rrule: 'FREQ=WEEKLY;BYDAY=SA', start: '01:00', timeZone: 'Europe/Berlin' });
    expect(starts(berlin, 'Asia/Tokyo', from, to)).toEqual(['2026-06-05T23:00Z']);
    expect(() => openingsBetween(hostLocal, 'Not/AZone', new Date(from), new Date(to))).toThrow(/"Not\/AZone" is not an IANA time zone name/);
  });

  it('counts an opening that began before `from` and is still open, and gives the cutoff', () => {
    const weekend = window({ rrule: 'FREQ=WEEKLY;BYDAY=SA', start: '22:00', durationMinutes: 600, cutoffMinutes: 90 });
    const [o, ...rest] = openingsBetween(weekend, null, new Date('2026-06-07T03:00:00Z'), new Date('2026-06-07T04:00:00Z'));
    expect(rest).toEqual([]);
    expect([iso(o!.start), iso(o!.cutoff), iso(o!.end)]).toEqual(['2026-06-06T22:00Z', '2026-06-07T06:30Z', '2026-06-07T08:00Z']);
    expect(openingsBetween(weekend, null, new Date('2026-06-07T08:00:00Z'), new Date('2026-06-07T09:00:00Z'))).toEqual([]);
  });

  it('ends a rule with COUNT or UNTIL', () => {
    const three = window({ rrule: 'FREQ=WEEKLY;BYDAY=SA;COUNT=3', startDate: '2026-01-01' });
    expect(starts(three, null, '2025-12-01T00:00:00Z', '2026-12-31T00:00:00Z')).toEqual(['2026-01-03T02:00Z', '2026-01-10T02:00Z', '2026-01-17T02:00Z']);
    const until = window({ rrule: 'FREQ=DAILY;UNTIL=20260103' });
    expect(starts(until, null, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')).toEqual(['2026-01-01T02:00Z', '2026-01-02T02:00Z', '2026-01-03T02:00Z']);
    // INTERVAL counts from startDate: every other Monday from 5 January.
    const fortnightly = window({ rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO', startDate: '2026-01-05' });
    expect(starts(fortnightly, null, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z')).toEqual(['2026-03-02T02:00Z', '2026-03-16T02:00Z', '2026-03-30T02:00Z']);
  });

  it('picks the position in a whole week, wherever the range starts', () => {
    // The first of Monday and Friday in each week: always the Monday, even asked from a Wednesday.
    const firstOfWeek = window({ rrule: 'FREQ=WEEKLY;BYDAY=MO,FR;BYSETPOS=1' });
    expect(starts(firstOfWeek, null, '2026-06-03T00:00:00Z', '2026-06-16T00:00:00Z')).toEqual(['2026-06-08T02:00Z', '2026-06-15T02:00Z']);
  });
});
