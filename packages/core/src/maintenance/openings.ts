import { DateTime, IANAZone } from 'luxon';
import { PatchwiseError } from '../errors/index.js';
import { recurrenceOf, windowTimeZone, type MaintenanceWindow } from './maintenance-window.js';
import { plusDays } from './recurrence.js';

/** One opening of a window, in UTC: starts allowed from `start` until `cutoff`; it closes at `end`. */
export interface Opening {
  readonly window: MaintenanceWindow;
  readonly start: Date;
  readonly end: Date;
  readonly cutoff: Date;
}

const MINUTE_MS = 60_000;

/** The zone by name, or PW_INPUT_INVALID: a host attribute or query naming a zone this runtime lacks. */
export function zoneNamed(name: string): IANAZone {
  if (!IANAZone.isValidZone(name)) throw new PatchwiseError('PW_INPUT_INVALID', `${JSON.stringify(name)} is not an IANA time zone name such as Europe/Berlin`);
  return IANAZone.create(name);
}

/** The local calendar date of an instant in a zone, as its UTC midnight. */
function localDate(at: Date, zone: IANAZone): Date {
  const t = DateTime.fromJSDate(at, { zone });
  return new Date(Date.UTC(t.year, t.month - 1, t.day));
}

/**
 * The window's openings that overlap [from, to) for a host in `hostTimeZone` (null: none set),
 * in start order; an opening that began before `from` and is still open counts.
 *
 * The rule yields local dates; `offsetDays` moves each; the opening starts at `start` local time
 * on that date in the window's zone. A local start time that does not exist (the hour skipped
 * when clocks go forward) moves forward by the gap, as luxon places it: 02:30 on the spring-forward
 * day in Europe/Berlin opens at 03:30 CEST. A local time that exists twice (clocks go back) is
 * the later one, in standard time. The duration is elapsed time, so an opening across a change
 * of offset lasts exactly `durationMinutes`.
 */
export function openingsBetween(window: MaintenanceWindow, hostTimeZone: string | null | undefined, from: Date, to: Date): Opening[] {
  if (to.getTime() <= from.getTime()) return [];
  const zone = zoneNamed(windowTimeZone(window, hostTimeZone));
  const recurrence = recurrenceOf(window);
  const [hour, minute] = window.start.split(':').map(Number) as [number, number];
  // Rule dates whose openings can reach [from, to): starting up to the duration (and a day for
  // the zone's offset) before `from`, at most a day after `to`'s local date; offset undone.
  const spanDays = Math.ceil(window.durationMinutes / 1440) + 1;
  const first = plusDays(localDate(from, zone), -window.offsetDays - spanDays);
  const last = plusDays(localDate(to, zone), -window.offsetDays + 1);
  const openings: Opening[] = [];
  for (const date of recurrence.datesBetween(first, last)) {
    const day = plusDays(date, window.offsetDays);
    const local = DateTime.fromObject({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour, minute }, { zone });
    const start = local.toMillis();
    const end = start + window.durationMinutes * MINUTE_MS;
    if (end <= from.getTime() || start >= to.getTime()) continue;
    openings.push({ window, start: new Date(start), end: new Date(end), cutoff: new Date(end - window.cutoffMinutes * MINUTE_MS) });
  }
  return openings;
}
