import { createRequire } from 'node:module';
import type * as RRuleModule from 'rrule';
import { describe, expect, it } from 'vitest';
import { PatchwiseError } from '../errors/index.js';
import { Recurrence, plusDays } from './recurrence.js';

const { RRule } = createRequire(import.meta.url)('rrule') as typeof RRuleModule;
const bad = (why: string) => new PatchwiseError('PW_INPUT_INVALID', why);

describe('Recurrence', () => {
  it('gives, from any range, exactly the dates rrule gives walking from the first date', () => {
    const rules: [string, string | undefined][] = [
      ['FREQ=DAILY;INTERVAL=3', '1999-12-30'],
      ['FREQ=WEEKLY', '2001-03-14'],
      ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR', '2003-06-05'],
      ['FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,SA;BYSETPOS=-1', '2010-01-07'],
      ['FREQ=WEEKLY;BYDAY=MO,WE;BYSETPOS=1', '2020-01-08'],
      ['FREQ=MONTHLY', '2004-01-31'],
      ['FREQ=MONTHLY;INTERVAL=5;BYDAY=2TU', '1996-02-29'],
      ['FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1', '2015-11-30'],
      ['FREQ=YEARLY', '2000-02-29'],
      ['FREQ=YEARLY;INTERVAL=2;BYMONTH=3', '1990-01-15'],
      ['FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO', '2005-05-05'],
      ['FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', undefined],
      ['FREQ=DAILY;BYDAY=MO,TU,WE,TH;UNTIL=20270101', undefined],
    ];
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const [rule, startDate] of rules) {
      const r = Recurrence.parse(rule, startDate, 'test');
      const first = new Date(`${startDate ?? '1970-01-05'}T00:00:00Z`);
      const walk = new RRule({ ...RRule.parseString(rule), dtstart: first }, true);
      for (let i = 0; i < 8; i++) {
        const from = new Date(Date.UTC(2020, 0, 1) + Math.floor(random() * 3000) * 86_400_000);
        const to = plusDays(from, 1 + Math.floor(random() * 120));
        expect(r.datesBetween(from, to), `${rule} from ${startDate ?? '-'}: ${from.toISOString()}`).toEqual(walk.between(from, to, true));
      }
    }
  });

  it('answers a range in the tens of microseconds however far back its first date is', () => {
    const r = Recurrence.parse('FREQ=DAILY;INTERVAL=2', '1970-01-01', 'test');
    const t = performance.now();
    for (let i = 0; i < 100; i++) r.datesBetween(new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 1, 5)));
    // Walking from 1970 took about 7 ms a range; from the range's own period, well under one.
    expect((performance.now() - t) / 100).toBeLessThan(2);
  });

  it('names the field of a refusal', () => {
    expect(() => Recurrence.parse('FREQ=DAILY;COUNT=5000', '2026-01-01', 'w')).toThrow(bad('w.rrule: COUNT must be a whole number from 1 to 1000 (for longer, UNTIL)'));
  });
});
