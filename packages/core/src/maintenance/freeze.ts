import { DateTime } from 'luxon';
import { PatchwiseError } from '../errors/index.js';
import { canonicalTimeZone, parseGroupNames, parseScheduleName } from './maintenance-window.js';
import { parseLocalDate } from './recurrence.js';

/**
 * A blackout (change freeze, holiday): no host it applies to starts a change from `start` to
 * `end`. Either two instants (ISO 8601 with an offset: `2026-12-23T18:00:00+01:00`), or two
 * local dates (`2026-12-24` to `2026-12-26`, both whole days included) in `timeZone`, or, when
 * that is absent, in each host's own time zone (else UTC).
 */
export interface Freeze {
  readonly name: string;
  readonly start: string;
  readonly end: string;
  /** Only for date-only freezes: the zone whose days they are. */
  readonly timeZone?: string | undefined;
  /** Host groups it applies to; empty: every host. */
  readonly groups: readonly string[];
  readonly reason: string;
}

/** A span of time, start included, end excluded. */
export interface TimeSpan {
  readonly start: Date;
  readonly end: Date;
}

const FIELDS = ['name', 'start', 'end', 'timeZone', 'groups', 'reason'];
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether the freeze is given as whole local days. */
export function isDateOnly(freeze: Pick<Freeze, 'start'>): boolean {
  return DATE_ONLY.test(freeze.start);
}

/**
 * A freeze from an API body or a policy document: PW_INPUT_INVALID naming `where.field` when a
 * bound is neither an instant with an offset nor a date, the two kinds are mixed, the end is not
 * after the start, or the time zone is unknown.
 */
export function parseFreeze(input: unknown, where: string): Freeze {
  const bad = (field: string, why: string) => new PatchwiseError('PW_INPUT_INVALID', `${where}.${field}: ${why}`);
  if (!isObject(input)) throw new PatchwiseError('PW_INPUT_INVALID', `${where}: expected an object with name, start, end, reason`);
  const unknown = Object.keys(input).filter((k) => !FIELDS.includes(k));
  if (unknown.length) throw bad(unknown[0]!, `unknown field (known: ${FIELDS.join(', ')})`);
  const name = parseScheduleName(input.name, `${where}.name`);
  const bound = (field: 'start' | 'end'): { text: string; dateOnly: boolean } => {
    const v = input[field];
    if (typeof v === 'string' && DATE_ONLY.test(v)) {
      parseLocalDate(v, (why) => bad(field, why), field);
      return { text: v, dateOnly: true };
    }
    const t = typeof v === 'string' && INSTANT.test(v) ? DateTime.fromISO(v, { setZone: true }) : null;
    if (!t?.isValid) throw bad(field, `expected an instant with its offset (2026-12-23T18:00:00+01:00 or …Z) or a local date YYYY-MM-DD, not ${JSON.stringify(v)}`);
    return { text: t.toISO({ suppressMilliseconds: true }), dateOnly: false };
  };
  const start = bound('start');
  const end = bound('end');
  if (start.dateOnly !== end.dateOnly) throw bad('end', 'start and end must both be instants or both be dates');
  const timeZone = input.timeZone === undefined ? undefined : canonicalTimeZone(input.timeZone, `${where}.timeZone`);
  if (timeZone !== undefined && !start.dateOnly) throw bad('timeZone', 'only a freeze of whole days (YYYY-MM-DD) takes a time zone; instants carry their offset');
  // Dates compare as text; instants by time. A one-day freeze has start = end (both included).
  const ordered = start.dateOnly ? end.text >= start.text : DateTime.fromISO(end.text).toMillis() > DateTime.fromISO(start.text).toMillis();
  if (!ordered) throw bad('end', start.dateOnly ? 'the last day comes before the first' : 'must come after start');
  const groups = parseGroupNames(input.groups, `${where}.groups`);
  const reason = input.reason;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 1000) throw bad('reason', 'expected text of 1 to 1000 characters: why changes stop');
  return { name, start: start.text, end: end.text, ...(timeZone === undefined ? {} : { timeZone }), groups, reason };
}

/**
 * The instants a freeze covers for a host: its instants, or its days from the first's midnight
 * to the midnight after the last, in the freeze's zone, else the host's, else UTC.
 */
export function freezeSpan(freeze: Freeze, hostTimeZone: string | null | undefined): TimeSpan {
  if (!isDateOnly(freeze)) return { start: new Date(Date.parse(freeze.start)), end: new Date(Date.parse(freeze.end)) };
  const zone = freeze.timeZone ?? hostTimeZone ?? 'UTC';
  const first = DateTime.fromISO(freeze.start, { zone });
  const afterLast = DateTime.fromISO(freeze.end, { zone }).plus({ days: 1 }).startOf('day');
  if (!first.isValid || !afterLast.isValid) throw new PatchwiseError('PW_INPUT_INVALID', `freeze ${freeze.name}: ${JSON.stringify(zone)} is not a time zone`);
  return { start: first.toJSDate(), end: afterLast.toJSDate() };
}
