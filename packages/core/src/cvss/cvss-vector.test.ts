import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { cvssFromVector, parseCvssVector } from './index.js';

const V2 = 'AV:N/AC:L/Au:N/C:P/I:P/A:P';
const V31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const V40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

describe('parseCvssVector: accepted forms', () => {
  it('reads v2 bare, in parentheses, with a CVSS:2.0/ prefix, and with surrounding blanks', () => {
    for (const form of [V2, `(${V2})`, `CVSS:2.0/${V2}`, `  ${V2}\n`]) {
      const parsed = parseCvssVector(form);
      expect(parsed.version).toBe('2.0');
      expect(parsed.vector).toBe(V2);
      expect(parsed.metrics.get('Au')).toBe('N');
    }
  });

  it('reads each prefixed version', () => {
    expect(parseCvssVector(V31).version).toBe('3.1');
    expect(parseCvssVector(V31.replace('3.1', '3.0')).version).toBe('3.0');
    expect(parseCvssVector(V40).version).toBe('4.0');
  });

  it('accepts metrics in any order and writes them back in specification order', () => {
    const shuffled = 'CVSS:3.1/E:F/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N';
    const parsed = parseCvssVector(shuffled);
    expect(parsed.vector).toBe(`${V31}/E:F`);
    expect(parsed.baseVector).toBe(V31);
  });

  it('keeps threat, environmental and supplemental metrics but leaves them out of the base vector', () => {
    const full = `${V40}/E:A/CR:H/MAV:A/MSI:S/S:P/AU:Y/R:I/V:C/RE:H/U:Clear`;
    const parsed = parseCvssVector(full);
    expect(parsed.vector).toBe(full);
    expect(parsed.baseVector).toBe(V40);
    expect(parsed.metrics.get('U')).toBe('Clear');
  });

  it('keeps v2 temporal and environmental metrics', () => {
    const parsed = parseCvssVector(`${V2}/E:POC/RL:OF/RC:C/CDP:LM/TD:H/CR:M/IR:M/AR:ND`);
    expect(parsed.metrics.get('CDP')).toBe('LM');
    expect(parsed.baseVector).toBe(V2);
  });
});

describe('parseCvssVector: malformed vectors', () => {
  const cases: readonly (readonly [vector: string, reason: string])[] = [
    ['', 'no metrics'],
    ['   ', 'no metrics'],
    ['CVSS:3.1', 'no metrics'],
    ['CVSS:3.1/', 'no metrics'],
    ['CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'unsupported version "CVSS:3.2"'],
    ['CVSS:/AV:N', 'unsupported version'],
    ['not a vector', 'is not of the form METRIC:VALUE'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', 'missing mandatory metric A'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N', 'missing mandatory metrics S, C, I, A'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N', 'missing mandatory metric SA'],
    ['AV:N/AC:L/Au:N/C:P/I:P', 'missing mandatory metric A'],
    ['CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'duplicate metric AV'],
    [`${V40}/E:A/E:P`, 'duplicate metric E'],
    ['CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'metric AV has unknown value "Q"'],
    // "X" (not defined) is legal for optional metrics only; the library would score it as 0.
    ['CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'metric AV has unknown value "X"'],
    ['CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'metric AV has unknown value "n"'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z', 'metric E has unknown value "Z"'],
    ['CVSS:3.1/FOO:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'unknown metric "FOO" for CVSS 3.1'],
    ['CVSS:3.1/__proto__:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'unknown metric "__proto__"'],
    // A v3 vector without its prefix is read as v2, which has no PR metric.
    ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'unknown metric "PR" for CVSS 2.0'],
    // Metric names are case-sensitive: v2 spells "Au", v3 has no "Au".
    ['AV:N/AC:L/AU:N/C:P/I:P/A:P', 'unknown metric "AU" for CVSS 2.0'],
    ['CVSS:3.1/AV:N/AC:L/Au:N/C:P/I:P/A:P', 'unknown metric "Au" for CVSS 3.1'],
    // A v3.1 vector under a v4.0 prefix: the library would accept it and score nonsense.
    ['CVSS:4.0/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H/S:U', 'unknown metric "C" for CVSS 4.0'],
    ['CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'empty metric at position 2'],
    [`${V31}/`, 'empty metric at position 9'],
    ['CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '"AV:" is not of the form METRIC:VALUE'],
    ['CVSS:3.1/:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '":N" is not of the form METRIC:VALUE'],
    ['CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'metric AV has unknown value "N:L"'],
    ['CVSS:3.1/AV:N AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'unknown value "N AC:L"'],
  ];

  it.each(cases)('rejects %j (%s)', (vector, reason) => {
    const err = caught(() => cvssFromVector(vector));
    expect(err.code).toBe('PW_INPUT_INVALID');
    expect(err.message).toContain(reason);
    // The message names the vector it is about.
    if (vector.trim() !== '') expect(err.message.startsWith(`${vector}: `)).toBe(true);
  });

  it('rejects a non-string with the same code', () => {
    expect(caught(() => cvssFromVector(42 as unknown as string)).code).toBe('PW_INPUT_INVALID');
  });

  it('quotes at most 200 characters of a huge vector', () => {
    const huge = `CVSS:3.1/${'AV:N/'.repeat(10_000)}`;
    expect(caught(() => cvssFromVector(huge)).message.length).toBeLessThan(400);
  });
});
