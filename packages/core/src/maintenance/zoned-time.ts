import { DateTime } from 'luxon';
import { PatchwiseError } from '../errors/index.js';

/** An instant as ISO 8601 with the offset it has in `timeZone`: how people read a window's times. */
export function zonedIso(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISO({ suppressMilliseconds: true }) ?? at.toISOString();
}

/**
 * An instant from text: ISO 8601 with an offset (`2026-12-01T00:00:00Z`), or a date
 * `YYYY-MM-DD` meaning its midnight in `timeZone`. PW_INPUT_INVALID names `field` otherwise.
 */
export function parseInstant(text: string, timeZone: string, field: string): Date {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? DateTime.fromISO(text, { zone: timeZone }) : /T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) ? DateTime.fromISO(text, { setZone: true }) : null;
  if (!t?.isValid) throw new PatchwiseError('PW_INPUT_INVALID', `${field}: expected an instant with its offset (2026-12-01T00:00:00Z) or a date YYYY-MM-DD, not ${JSON.stringify(text)}`);
  return t.toJSDate();
}
