import { describe, expect, it } from 'vitest';
import { parseFreeze } from './freeze.js';
import { parseMaintenanceWindow } from './maintenance-window.js';

const base = { name: 'patch-tuesday', rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', start: '22:00', durationMinutes: 240 };
const window = (over: Record<string, unknown>) => parseMaintenanceWindow({ ...base, ...over }, 'window');
const freeze = (over: Record<string, unknown>) => parseFreeze({ name: 'year-end', start: '2026-12-24', end: '2026-12-26', reason: 'holidays', ...over }, 'freeze');

describe('parseMaintenanceWindow', () => {
  it('fills defaults and normalises the rule, the zone and the groups', () => {
    expect(window({ rrule: 'rrule:freq=monthly;byday=tu;bysetpos=2', timeZone: 'europe/berlin', groups: ['web', 'db'] })).toEqual({
      name: 'patch-tuesday',
      rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2',
      start: '22:00',
      offsetDays: 0,
      durationMinutes: 240,
      cutoffMinutes: 0,
      timeZone: 'Europe/Berlin',
      groups: ['db', 'web'],
      description: '',
    });
    expect(window({ rrule: 'FREQ=WEEKLY;BYDAY=SA;COUNT=3', startDate: '2026-01-01', offsetDays: -1, cutoffMinutes: 239 })).toMatchObject({ startDate: '2026-01-01', offsetDays: -1, cutoffMinutes: 239 });
    expect(window({ rrule: 'FREQ=DAILY;UNTIL=20261231' }).rrule).toBe('FREQ=DAILY;UNTIL=20261231');
  });

  it.each([
    [{ name: 'Bad Name' }, /window\.name: expected 1-64 lower-case/],
    [{ colour: 'red' }, /window\.colour: unknown field/],
    [{ timeZone: 'Mars/Olympus' }, /window\.timeZone: "Mars\/Olympus" is not an IANA time zone/],
    [{ timeZone: '+01:00' }, /window\.timeZone: .* is not an IANA time zone/],
    [{ rrule: 'FREQ=SOMETIMES' }, /window\.rrule: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY/],
    [{ rrule: 'FREQ=HOURLY' }, /window\.rrule: FREQ must be/],
    [{ rrule: 'FREQ=DAILY;FOO=1' }, /window\.rrule: not a valid RRULE \(Unknown RRULE property 'FOO'\)/],
    [{ rrule: 'FREQ=DAILY;;' }, /window\.rrule: "" is not NAME=VALUE/],
    [{ rrule: '' }, /window\.rrule: empty/],
    [{ rrule: 42 }, /window\.rrule: expected an RRULE/],
    [{ rrule: 'DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY' }, /window\.rrule: one RRULE line only/],
    [{ rrule: 'FREQ=DAILY;DTSTART=20260101T000000Z' }, /window\.rrule: DTSTART is not taken inside the rule/],
    [{ rrule: 'FREQ=DAILY;TZID=Europe/Berlin' }, /window\.rrule: TZID is not taken inside the rule: give `timeZone`/],
    [{ rrule: 'FREQ=DAILY;BYHOUR=3' }, /window\.rrule: BYHOUR is not taken/],
    [{ rrule: 'FREQ=DAILY;BYDAY=XX' }, /window\.rrule: BYDAY must list weekdays/],
    [{ rrule: 'FREQ=WEEKLY;BYDAY=2TU' }, /window\.rrule: a numbered BYDAY \(e\.g\. 2TU\) needs FREQ=MONTHLY or YEARLY/],
    [{ rrule: 'FREQ=MONTHLY;BYDAY=6TU' }, /window\.rrule: a numbered BYDAY with FREQ=MONTHLY counts from 1 to 5/],
    [{ rrule: 'FREQ=MONTHLY;BYMONTHDAY=40' }, /window\.rrule: BYMONTHDAY must list days 1 to 31/],
    [{ rrule: 'FREQ=WEEKLY;BYMONTHDAY=1' }, /window\.rrule: BYMONTHDAY cannot be used with FREQ=WEEKLY/],
    [{ rrule: 'FREQ=DAILY;COUNT=x' }, /window\.rrule: COUNT must be a whole number/],
    [{ rrule: 'FREQ=DAILY;INTERVAL=0' }, /window\.rrule: INTERVAL must be a whole number from 1/],
    [{ rrule: 'FREQ=DAILY;COUNT=3;UNTIL=20261231', startDate: '2026-01-01' }, /window\.rrule: COUNT and UNTIL cannot both be given/],
    [{ rrule: 'FREQ=DAILY;BYSETPOS=1;BYDAY=MO' }, /window\.rrule: BYSETPOS picks among the dates of a period/],
    [{ rrule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30' }, /window\.rrule: never occurs/],
    [{ rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=6' }, /window\.rrule: never occurs/],
    [{ rrule: 'FREQ=DAILY;UNTIL=20251231', startDate: '2026-01-01' }, /window\.rrule: never occurs: UNTIL comes before the first date/],
    [{ rrule: 'FREQ=DAILY;COUNT=3' }, /window\.startDate: COUNT counts from a first date: give startDate/],
    [{ rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO' }, /window\.startDate: INTERVAL=2 counts periods \(2 at a time\) from a first date: give startDate/],
    [{ rrule: 'FREQ=WEEKLY' }, /window\.startDate: FREQ=WEEKLY without BYDAY takes its day from a first date/],
    [{ rrule: 'FREQ=DAILY', startDate: '2026-02-30' }, /window\.startDate: "2026-02-30" is not a date YYYY-MM-DD/],
    [{ rrule: 'FREQ=DAILY', startDate: '9999-01-01' }, /window\.startDate: "9999-01-01" is not a date YYYY-MM-DD from 1970 to 2999/],
    [{ start: '24:00' }, /window\.start: expected a local time HH:MM/],
    [{ start: '9:00' }, /window\.start: expected a local time HH:MM/],
    [{ offsetDays: 1.5 }, /window\.offsetDays: expected whole days/],
    [{ offsetDays: 400 }, /window\.offsetDays: expected whole days from -366 to 366/],
    [{ durationMinutes: 0 }, /window\.durationMinutes: expected whole minutes, more than 0 and at most 44640 \(31 days\)/],
    [{ durationMinutes: 31 * 1440 + 1 }, /window\.durationMinutes: .* at most 44640/],
    [{ durationMinutes: undefined }, /window\.durationMinutes/],
    [{ cutoffMinutes: 240 }, /window\.cutoffMinutes: 240 leaves no time to start in an opening of 240 minutes/],
    [{ cutoffMinutes: -5 }, /window\.cutoffMinutes: expected whole minutes, 0 or more/],
    [{ groups: ['web', 'web'] }, /window\.groups: a group appears twice/],
    [{ groups: 'web' }, /window\.groups: expected a list/],
    [{ description: 7 }, /window\.description: expected text/],
  ])('refuses %o naming the field and the reason', (over, message) => {
    expect(() => window(over)).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', message: expect.stringMatching(message) as string }));
  });

  it('refuses what is not an object', () => {
    expect(() => parseMaintenanceWindow('FREQ=DAILY', 'windows[0]')).toThrow(/windows\[0\]: expected an object/);
  });
});

describe('parseFreeze', () => {
  it('takes whole local days (in a zone, or the host’s) or instants with their offset', () => {
    expect(freeze({})).toEqual({ name: 'year-end', start: '2026-12-24', end: '2026-12-26', groups: [], reason: 'holidays' });
    expect(freeze({ timeZone: 'America/New_York', groups: ['prod'] })).toMatchObject({ timeZone: 'America/New_York', groups: ['prod'] });
    expect(freeze({ start: '2026-12-23T18:00:00+01:00', end: '2026-12-27T06:00Z' })).toMatchObject({ start: '2026-12-23T18:00:00+01:00', end: '2026-12-27T06:00:00Z' });
    expect(freeze({ start: '2026-12-24', end: '2026-12-24' }).end).toBe('2026-12-24');
  });

  it.each([
    [{ start: '2026-12-24T00:00:00' }, /freeze\.start: expected an instant with its offset/],
    [{ start: 'tomorrow' }, /freeze\.start: expected an instant/],
    [{ end: '2026-13-01' }, /freeze\.end: "2026-13-01" is not a date/],
    [{ end: '2026-12-26T00:00:00Z' }, /freeze\.end: start and end must both be instants or both be dates/],
    [{ end: '2026-12-23' }, /freeze\.end: the last day comes before the first/],
    [{ start: '2026-12-24T10:00:00Z', end: '2026-12-24T11:00:00+01:00' }, /freeze\.end: must come after start/],
    [{ start: '2026-12-24T10:00:00Z', end: '2026-12-25T10:00:00Z', timeZone: 'UTC' }, /freeze\.timeZone: only a freeze of whole days/],
    [{ timeZone: 'Nowhere/Land' }, /freeze\.timeZone: "Nowhere\/Land" is not an IANA time zone/],
    [{ reason: '  ' }, /freeze\.reason: expected text of 1 to 1000 characters/],
    [{ groups: ['Prod'] }, /freeze\.groups: expected a list of at most 100 host group names/],
    [{ until: 'x' }, /freeze\.until: unknown field/],
  ])('refuses %o naming the field and the reason', (over, message) => {
    expect(() => freeze(over)).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', message: expect.stringMatching(message) as string }));
  });
});
