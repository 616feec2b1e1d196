import { createRequire } from 'node:module';
import type * as RRuleModule from 'rrule';
import type { Options } from 'rrule';
import { PatchwiseError } from '../errors/index.js';

// rrule is a CommonJS package with an ESM build beside it that Node cannot load (its imports
// lack extensions) and whose source maps point at missing files. Requiring it gives every
// loader (Node, tsx, Vite in tests) the same CommonJS build.
const { RRule } = createRequire(import.meta.url)('rrule') as typeof RRuleModule;

const DAY_MS = 86_400_000;
/** The Gregorian calendar repeats every 400 years (146,097 days, a whole number of weeks). */
const CYCLE_YEARS = 400;
/** rrule stops looking for dates after this year (its MAXYEAR). */
const RRULE_LAST_YEAR = 9999;
/** Where an unanchored probe starts: any date serves, since such rules do not depend on it. */
const PROBE_REFERENCE = Date.UTC(2000, 0, 1);

const FREQUENCIES = new Map<number, string>([
  [RRule.YEARLY, 'YEARLY'],
  [RRule.MONTHLY, 'MONTHLY'],
  [RRule.WEEKLY, 'WEEKLY'],
  [RRule.DAILY, 'DAILY'],
]);

/** Which BY parts RFC 5545 allows with each frequency (BYDAY is allowed with all). */
const ALLOWED_WITH: Readonly<Record<string, readonly string[]>> = {
  bymonthday: ['YEARLY', 'MONTHLY', 'DAILY'],
  byyearday: ['YEARLY'],
  byweekno: ['YEARLY'],
};

type RuleOptions = Partial<Options>;

/**
 * A validated RRULE (RFC 5545) over local calendar dates, parsed by the `rrule` package. Dates
 * go in and come out as UTC midnights that stand for local calendar days ("floating" dates):
 * time of day and time zone are the window's business, so the rule may not carry them (no
 * DTSTART, TZID, BYHOUR, BYMINUTE, BYSECOND). The rule's first date is `startDate`; rules whose
 * dates depend on it (COUNT, INTERVAL above 1, or a day taken from it, like FREQ=WEEKLY without
 * BYDAY) need one.
 */
export class Recurrence {
  /** Rules are evaluated with the days rrule would take from `startDate` written into them, so they may start at any period. */
  private readonly explicit: RuleOptions;

  private constructor(
    private readonly options: RuleOptions,
    private readonly startDate: Date | null,
    /** Whether the dates do not depend on where the rule starts, so it may start anywhere before a range. */
    private readonly anchorFree: boolean,
  ) {
    this.explicit = startDate ? withImpliedDays(options, startDate) : options;
  }

  /**
   * Parses and checks a rule. `text` is one RRULE line, with or without the `RRULE:` prefix;
   * `startDate` a local date (YYYY-MM-DD) or undefined. Errors name `where.rrule` or `where.startDate`.
   */
  static parse(text: string, startDate: string | undefined, where: string): Recurrence {
    const bad = (why: string, field = 'rrule') => new PatchwiseError('PW_INPUT_INVALID', `${where}.${field}: ${why}`);
    const normalised = normaliseRule(text, bad);
    let options: RuleOptions;
    try {
      options = RRule.parseString(normalised);
    } catch (err) {
      throw bad(`not a valid RRULE (${(err as Error).message})`);
    }
    checkOptions(options, bad);
    const start = startDate === undefined ? null : parseLocalDate(startDate, bad);
    const freq = FREQUENCIES.get(options.freq!)!;
    const needs = anchorNeed(options, freq);
    if (needs && !start) throw bad(`${needs}: give startDate (YYYY-MM-DD), the local date the rule counts from`, 'startDate');
    const recurrence = new Recurrence(options, start, needs === null);
    recurrence.checkOccurs(bad);
    return recurrence;
  }

  /** The rule as stored: upper case, without the `RRULE:` prefix. */
  static normalise(text: string): string {
    return text.trim().replace(/^RRULE:/i, '').toUpperCase();
  }

  /**
   * The local dates (UTC midnights) on which the rule occurs, from `from` to `to` inclusive,
   * ascending. Both bounds are UTC midnights.
   */
  datesBetween(from: Date, to: Date): Date[] {
    const dtstart = this.dtstartFor(from);
    if (dtstart.getTime() > to.getTime()) return [];
    return new RRule({ ...this.explicit, dtstart }, true).between(from, to, true);
  }

  /**
   * Where to start the rule for a range from `from`: rrule walks period by period from its
   * start, so a rule whose first date is years back would cost years of periods per question.
   * Without COUNT the dates from a later period on are the same when the rule starts at that
   * period instead, provided it is a whole number of INTERVALs after the first one (the days the
   * rule takes from its first date are written into it). Starting at a period's first day also
   * keeps BYSETPOS of a week whole, which a start mid-week would cut.
   */
  private dtstartFor(from: Date): Date {
    if (this.options.count !== undefined) return this.startDate!;
    const interval = this.options.interval ?? 1;
    const first = periodStart(this.startDate ?? from, this.options);
    const steps = Math.floor(periodsBetween(first, periodStart(from, this.options), this.options) / interval) * interval;
    if (this.startDate && steps <= 0) return this.startDate;
    return addPeriods(first, steps, this.options);
  }

  /**
   * Refuses rules that never produce a date. rrule looks period by period until the year 9999
   * for a date that never comes (seconds for an impossible daily rule), so the probe runs in the
   * last full 400-year cycles before 9999, whose calendar is the same as today's: an empty
   * probe proves the rule empty at a bounded cost.
   */
  private checkOccurs(bad: (why: string, field?: string) => PatchwiseError): void {
    const anchor = this.anchorFree ? periodStart(this.startDate ?? new Date(PROBE_REFERENCE), this.options) : this.startDate!;
    const { count: _count, until: _until, ...pattern } = this.options;
    let probe: RuleOptions = pattern;
    // A daily rule's days are its BY filters, and the same filters over a year find the same
    // days a period (year) at a time: 800 periods to probe instead of 290,000.
    if (probe.freq === RRule.DAILY && (probe.interval ?? 1) === 1 && (has(probe.bymonthday) || has(probe.byweekday))) probe = { ...probe, freq: RRule.YEARLY };
    const shifted = shiftToLastCycles(anchor);
    if (new RRule({ ...probe, dtstart: shifted }, true).after(shifted, true) === null) throw bad('never occurs: no date in the calendar matches every part of the rule');
    if (this.options.until && this.startDate) {
      const first = new RRule({ ...this.options, dtstart: this.startDate }, true).after(this.startDate, true);
      if (first === null) throw bad('never occurs: UNTIL comes before the first date on or after startDate');
    }
  }
}

function normaliseRule(text: string, bad: (why: string) => PatchwiseError): string {
  if (text.length > 500) throw bad('at most 500 characters');
  if (/[\r\n]/.test(text)) throw bad('one RRULE line only (no DTSTART, EXDATE or RDATE lines)');
  const rule = Recurrence.normalise(text);
  if (rule === '') throw bad('empty; expected e.g. FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2');
  for (const part of rule.split(';')) {
    const m = /^([A-Z]+)=([^=]+)$/.exec(part);
    if (!m) throw bad(`"${part}" is not NAME=VALUE`);
    if (m[1] === 'DTSTART') throw bad('DTSTART is not taken inside the rule: the start time is `start`, the first date `startDate`');
    if (m[1] === 'TZID') throw bad('TZID is not taken inside the rule: give `timeZone`');
    if (m[1] === 'BYHOUR' || m[1] === 'BYMINUTE' || m[1] === 'BYSECOND') throw bad(`${m[1]} is not taken: a window opens once a day at \`start\``);
    if (m[1] === 'BYEASTER') throw bad('BYEASTER is not part of RFC 5545');
  }
  return rule;
}

const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const has = (v: unknown): boolean => list(v).length > 0;
const isInt = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
const nonZero = (max: number) => (v: unknown) => isInt(v, -max, max) && v !== 0;

function checkOptions(o: RuleOptions, bad: (why: string) => PatchwiseError): void {
  const freq = typeof o.freq === 'number' ? FREQUENCIES.get(o.freq) : undefined;
  if (!freq) throw bad('FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY (a window opens at most once a day)');
  if (o.interval !== undefined && !isInt(o.interval, 1, 1000)) throw bad('INTERVAL must be a whole number from 1 to 1000');
  if (o.count !== undefined && !isInt(o.count, 1, 1000)) throw bad('COUNT must be a whole number from 1 to 1000 (for longer, UNTIL)');
  if (Object.hasOwn(o, 'until') && !(o.until instanceof Date && !Number.isNaN(o.until.getTime()))) throw bad('UNTIL must be a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSSZ)');
  if (o.count !== undefined && o.until) throw bad('COUNT and UNTIL cannot both be given (RFC 5545)');
  if (Object.hasOwn(o, 'wkst') && !(typeof o.wkst === 'object' && o.wkst !== null)) throw bad('WKST must be a weekday: MO, TU, WE, TH, FR, SA or SU');
  const numbers: [keyof RuleOptions, string, (v: unknown) => boolean][] = [
    ['bymonth', 'BYMONTH must list months 1 to 12', (v) => isInt(v, 1, 12)],
    ['bymonthday', 'BYMONTHDAY must list days 1 to 31 or -31 to -1', nonZero(31)],
    ['byyearday', 'BYYEARDAY must list days 1 to 366 or -366 to -1', nonZero(366)],
    ['byweekno', 'BYWEEKNO must list weeks 1 to 53 or -53 to -1', nonZero(53)],
    ['bysetpos', 'BYSETPOS must list positions 1 to 366 or -366 to -1', nonZero(366)],
  ];
  for (const [key, message, ok] of numbers) {
    if (Object.hasOwn(o, key) && (!has(o[key]) || !list(o[key]).every(ok))) throw bad(message);
    const allowed = ALLOWED_WITH[key];
    if (has(o[key]) && allowed && !allowed.includes(freq)) throw bad(`${key.toUpperCase()} cannot be used with FREQ=${freq} (RFC 5545)`);
  }
  const days = list(o.byweekday) as ({ weekday?: unknown; n?: unknown } | null | undefined)[];
  if (Object.hasOwn(o, 'byweekday') && (days.length === 0 || days.some((d) => !d || !isInt(d.weekday, 0, 6)))) throw bad('BYDAY must list weekdays: MO, TU, WE, TH, FR, SA, SU, optionally numbered (2TU, -1FR)');
  const numbered = days.filter((d) => d?.n !== undefined && d.n !== null);
  if (numbered.length && freq !== 'MONTHLY' && freq !== 'YEARLY') throw bad(`a numbered BYDAY (e.g. 2TU) needs FREQ=MONTHLY or YEARLY, not ${freq}`);
  const maxN = freq === 'MONTHLY' ? 5 : 53;
  if (numbered.some((d) => !nonZero(maxN)(d!.n))) throw bad(`a numbered BYDAY with FREQ=${freq} counts from 1 to ${maxN} (or from the end, -1 to -${maxN})`);
  if (has(o.bysetpos) && freq === 'DAILY') throw bad('BYSETPOS picks among the dates of a period, and a day has one: use it with WEEKLY, MONTHLY or YEARLY');
  if (has(o.bysetpos) && !has(o.byweekday) && !has(o.bymonthday) && !has(o.byyearday) && !has(o.byweekno) && !has(o.bymonth)) throw bad('BYSETPOS needs another BY part to pick from (RFC 5545)');
}

/** Why the rule's dates depend on its first date, or null when they do not. */
function anchorNeed(o: RuleOptions, freq: string): string | null {
  if (o.count !== undefined) return 'COUNT counts from a first date';
  if ((o.interval ?? 1) > 1) return `INTERVAL=${o.interval} counts periods (${o.interval} at a time) from a first date`;
  const dayChosen = has(o.byweekday) || has(o.bymonthday) || has(o.byyearday) || has(o.byweekno);
  if (!dayChosen && freq !== 'DAILY') return `FREQ=${freq} without ${freq === 'WEEKLY' ? 'BYDAY' : 'BYDAY or BYMONTHDAY'} takes its day from a first date (or add the BY part)`;
  return null;
}

/** The start of the rule's period (week from WKST, month, year) holding `d`. */
function periodStart(d: Date, o: RuleOptions): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (o.freq) {
    case RRule.YEARLY:
      return new Date(Date.UTC(y, 0, 1));
    case RRule.MONTHLY:
      return new Date(Date.UTC(y, m, 1));
    case RRule.WEEKLY: {
      // rrule numbers weekdays from Monday = 0; JavaScript's getUTCDay from Sunday = 0.
      const wkst = (o.wkst as { weekday: number } | undefined)?.weekday ?? 0;
      const back = ((d.getUTCDay() + 6) % 7 - wkst + 7) % 7;
      return new Date(Date.UTC(y, m, d.getUTCDate() - back));
    }
    default:
      return new Date(Date.UTC(y, m, d.getUTCDate()));
  }
}

/** Whole periods (days, weeks, months, years) from one period start to another. */
function periodsBetween(a: Date, b: Date, o: RuleOptions): number {
  switch (o.freq) {
    case RRule.YEARLY:
      return b.getUTCFullYear() - a.getUTCFullYear();
    case RRule.MONTHLY:
      return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
    case RRule.WEEKLY:
      return Math.round((b.getTime() - a.getTime()) / (7 * DAY_MS));
    default:
      return Math.round((b.getTime() - a.getTime()) / DAY_MS);
  }
}

function addPeriods(d: Date, n: number, o: RuleOptions): Date {
  switch (o.freq) {
    case RRule.YEARLY:
      return new Date(Date.UTC(d.getUTCFullYear() + n, 0, 1));
    case RRule.MONTHLY:
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
    case RRule.WEEKLY:
      return plusDays(d, 7 * n);
    default:
      return plusDays(d, n);
  }
}

/**
 * The rule with the days rrule takes from its first date when it names none (RFC 5545: a weekly
 * rule's weekday, a monthly rule's day of the month, a yearly rule's month and day) written in,
 * so that it means the same whichever period it starts at.
 */
function withImpliedDays(o: RuleOptions, first: Date): RuleOptions {
  if (has(o.byweekno) || has(o.byyearday) || has(o.bymonthday) || has(o.byweekday)) return o;
  switch (o.freq) {
    case RRule.YEARLY:
      return { ...o, bymonth: has(o.bymonth) ? o.bymonth : [first.getUTCMonth() + 1], bymonthday: [first.getUTCDate()] };
    case RRule.MONTHLY:
      return { ...o, bymonthday: [first.getUTCDate()] };
    case RRule.WEEKLY:
      // rrule numbers weekdays from Monday = 0; JavaScript's getUTCDay from Sunday = 0.
      return { ...o, byweekday: [(first.getUTCDay() + 6) % 7] };
    default:
      return o;
  }
}

/** The same calendar date a whole number of 400-year cycles later, at least one full cycle before rrule's last year. */
function shiftToLastCycles(d: Date): Date {
  const y = d.getUTCFullYear();
  const cycles = Math.max(0, Math.floor((RRULE_LAST_YEAR - CYCLE_YEARS - y) / CYCLE_YEARS));
  const shifted = new Date(d.getTime());
  shifted.setUTCFullYear(y + cycles * CYCLE_YEARS);
  return shifted;
}

/** A local date `YYYY-MM-DD` as its UTC midnight. */
export function parseLocalDate(text: string, bad: (why: string, field?: string) => PatchwiseError, field = 'startDate'): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  // Years past 2999 would leave rrule (which stops at 9999) too little calendar to probe a rule in.
  if (!m || !d || d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3]) || Number(m[1]) < 1970 || Number(m[1]) > 2999) {
    throw bad(`"${text}" is not a date YYYY-MM-DD from 1970 to 2999`, field);
  }
  return d;
}

/** `d` plus whole days, for UTC midnights that stand for local dates (no DST in UTC). */
export function plusDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}
