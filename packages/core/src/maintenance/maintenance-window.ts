import { IANAZone } from 'luxon';
import { PatchwiseError } from '../errors/index.js';
import { Recurrence, parseLocalDate } from './recurrence.js';

/**
 * When changes may start on a host: a recurrence of local dates, shifted by `offsetDays`,
 * opening at `start` local time for `durationMinutes`. No host starts in the last
 * `cutoffMinutes` of an opening, so a job has time to finish inside it.
 */
export interface MaintenanceWindow {
  readonly name: string;
  /** One RFC 5545 RRULE line over dates, e.g. `FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2` (the second Tuesday). */
  readonly rrule: string;
  /** The local date (YYYY-MM-DD) the rule counts from; needed by COUNT, INTERVAL > 1 and rules that take their day from it. */
  readonly startDate?: string | undefined;
  /** Local time the window opens, `HH:MM`. */
  readonly start: string;
  /** Days added to each date of the rule (may be negative): "second Tuesday + 4 days" is the rule above with 4. */
  readonly offsetDays: number;
  /** How long an opening lasts, in elapsed minutes (more than 0, at most 31 days). */
  readonly durationMinutes: number;
  /** No host starts in the last N minutes of an opening (0 to less than the duration). */
  readonly cutoffMinutes: number;
  /** IANA time zone of `start`; absent: each host's own time zone attribute, else UTC. */
  readonly timeZone?: string | undefined;
  /** Host groups it applies to; empty: every host. */
  readonly groups: readonly string[];
  readonly description: string;
}

export const MAX_WINDOW_MINUTES = 31 * 24 * 60;
export const MAX_OFFSET_DAYS = 366;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const FIELDS = ['name', 'rrule', 'startDate', 'start', 'offsetDays', 'durationMinutes', 'cutoffMinutes', 'timeZone', 'groups', 'description'];

/** Compiled rules, per window object: windows are plain data, read from the store or a document. */
const compiled = new WeakMap<MaintenanceWindow, Recurrence>();

/** The window's rule, parsed once per window object. */
export function recurrenceOf(window: MaintenanceWindow): Recurrence {
  let r = compiled.get(window);
  if (!r) {
    r = Recurrence.parse(window.rrule, window.startDate, `window ${window.name}`);
    compiled.set(window, r);
  }
  return r;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A time zone name as IANA spells it (the same canonical form as a host's `timezone`
 * attribute), or a PW_INPUT_INVALID naming `field`.
 */
export function canonicalTimeZone(value: unknown, field: string): string {
  const bad = () => new PatchwiseError('PW_INPUT_INVALID', `${field}: ${JSON.stringify(value)} is not an IANA time zone name such as Europe/Berlin`);
  if (typeof value !== 'string' || value.length === 0 || value.length > 64 || !IANAZone.isValidZone(value)) throw bad();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw bad();
  }
}

/** Group names of a window or freeze: distinct lower-case slugs; empty means every host. */
export function parseGroupNames(value: unknown, field: string): string[] {
  const groups = value ?? [];
  if (!Array.isArray(groups) || groups.length > 100 || !groups.every((g) => typeof g === 'string' && NAME.test(g))) {
    throw new PatchwiseError('PW_INPUT_INVALID', `${field}: expected a list of at most 100 host group names (empty: every host)`);
  }
  if (new Set(groups).size !== groups.length) throw new PatchwiseError('PW_INPUT_INVALID', `${field}: a group appears twice`);
  return [...(groups as string[])].sort();
}

/** The name of a window or freeze, or an error naming `field`. */
export function parseScheduleName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) throw new PatchwiseError('PW_INPUT_INVALID', `${field}: expected 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit`);
  return value;
}

/**
 * A maintenance window from an API body or a policy document, every field checked: errors are
 * PW_INPUT_INVALID naming `where.field` and the reason (unknown time zone, a rule that is not an
 * RRULE or never occurs, a duration of 0 or over 31 days, a cutoff not shorter than the duration…).
 */
export function parseMaintenanceWindow(input: unknown, where: string): MaintenanceWindow {
  const bad = (field: string, why: string) => new PatchwiseError('PW_INPUT_INVALID', `${where}.${field}: ${why}`);
  if (!isObject(input)) throw new PatchwiseError('PW_INPUT_INVALID', `${where}: expected an object with name, rrule, start, durationMinutes`);
  const unknown = Object.keys(input).filter((k) => !FIELDS.includes(k));
  if (unknown.length) throw bad(unknown[0]!, `unknown field (known: ${FIELDS.join(', ')})`);
  const name = parseScheduleName(input.name, `${where}.name`);
  const { rrule, startDate, start } = input;
  if (typeof rrule !== 'string') throw bad('rrule', 'expected an RRULE such as FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2');
  if (startDate !== undefined && typeof startDate !== 'string') throw bad('startDate', 'expected a date YYYY-MM-DD');
  if (typeof startDate === 'string') parseLocalDate(startDate, (why) => bad('startDate', why));
  if (typeof start !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(start)) throw bad('start', 'expected a local time HH:MM from 00:00 to 23:59');
  const offsetDays = input.offsetDays ?? 0;
  if (typeof offsetDays !== 'number' || !Number.isInteger(offsetDays) || Math.abs(offsetDays) > MAX_OFFSET_DAYS) throw bad('offsetDays', `expected whole days from -${MAX_OFFSET_DAYS} to ${MAX_OFFSET_DAYS}`);
  const durationMinutes = input.durationMinutes;
  if (typeof durationMinutes !== 'number' || !Number.isInteger(durationMinutes) || durationMinutes <= 0 || durationMinutes > MAX_WINDOW_MINUTES) {
    throw bad('durationMinutes', `expected whole minutes, more than 0 and at most ${MAX_WINDOW_MINUTES} (31 days)`);
  }
  const cutoffMinutes = input.cutoffMinutes ?? 0;
  if (typeof cutoffMinutes !== 'number' || !Number.isInteger(cutoffMinutes) || cutoffMinutes < 0) throw bad('cutoffMinutes', 'expected whole minutes, 0 or more');
  if (cutoffMinutes >= durationMinutes) throw bad('cutoffMinutes', `${cutoffMinutes} leaves no time to start in an opening of ${durationMinutes} minutes: it must be shorter than durationMinutes`);
  const timeZone = input.timeZone === undefined ? undefined : canonicalTimeZone(input.timeZone, `${where}.timeZone`);
  const groups = parseGroupNames(input.groups, `${where}.groups`);
  const description = input.description ?? '';
  if (typeof description !== 'string' || description.length > 1000) throw bad('description', 'expected text of at most 1000 characters');
  // Parsed last so that its errors (and its probe) come after the simple fields.
  const recurrence = Recurrence.parse(rrule, startDate, where);
  const window: MaintenanceWindow = {
    name,
    rrule: Recurrence.normalise(rrule),
    ...(startDate === undefined ? {} : { startDate }),
    start,
    offsetDays,
    durationMinutes,
    cutoffMinutes,
    ...(timeZone === undefined ? {} : { timeZone }),
    groups,
    description,
  };
  compiled.set(window, recurrence);
  return window;
}

/** The zone a window's local times are in for a host: its own, else the host's, else UTC. */
export function windowTimeZone(window: MaintenanceWindow, hostTimeZone: string | null | undefined): string {
  return window.timeZone ?? hostTimeZone ?? 'UTC';
}
