import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { sharedData } from '../../test/support/shared-data.js';
import { parseEpss } from './index.js';

const read = (name: string): string => readFileSync(sharedData('epss', name), 'utf8');

const META = '#model_version:v2023.03.01,score_date:2023-03-17T00:00:00+0000';
const HEADER = 'cve,epss,percentile';
const csv = (...rows: string[]): string => [META, HEADER, ...rows].join('\n');

describe('parseEpss on the real FIRST format (shared/data/epss)', () => {
  it('reads vunnel-example-1.csv', () => {
    const parsed = parseEpss(read('vunnel-example-1.csv'), 'vunnel-example-1.csv');
    expect(parsed).toMatchObject({
      source: 'vunnel-example-1.csv',
      modelVersion: 'v2023.03.01',
      scoreDate: '2025-02-20T00:00:00+0000',
      date: '2025-02-20',
    });
    expect(parsed.scores.size).toBe(5);
    expect(parsed.scores.get('CVE-1999-0001')).toEqual({ score: 0.00383, percentile: 0.73075 });
    expect(parsed.scores.get('CVE-1999-0003')).toEqual({ score: 0.04409, percentile: 0.9244 });
  });

  it('rejects vunnel-invalid-header.csv, naming the file, the line and the header found', () => {
    const err = caught(() => parseEpss(read('vunnel-invalid-header.csv'), 'epss/vunnel-invalid-header.csv'));
    expect(err.code).toBe('PW_INPUT_INVALID');
    expect(err.message).toBe(
      'epss/vunnel-invalid-header.csv: line 2: expected the header "cve,epss,percentile", found "invalid,header,format"',
    );
  });

  it('rejects vunnel-missing-date.csv, naming the file and the missing score_date', () => {
    const err = caught(() => parseEpss(read('vunnel-missing-date.csv'), 'epss/vunnel-missing-date.csv'));
    expect(err.code).toBe('PW_INPUT_INVALID');
    expect(err.message).toBe('epss/vunnel-missing-date.csv: line 1: the first line has no score_date');
  });
});

describe('parseEpss: tolerated variations', () => {
  it('accepts CRLF line ends, a byte-order mark, blank lines and a trailing newline', () => {
    const text = `\uFEFF${csv('CVE-2021-44228,0.97565,0.99996', '', 'cve-2023-0001,1e-05,0.0')}\n`.replace(/\n/g, '\r\n');
    const parsed = parseEpss(text, 'e.csv');
    expect(parsed.modelVersion).toBe('v2023.03.01');
    expect(parsed.scores.get('CVE-2021-44228')).toEqual({ score: 0.97565, percentile: 0.99996 });
    expect(parsed.scores.get('CVE-2023-0001')).toEqual({ score: 0.00001, percentile: 0 });
  });

  it('accepts a file with no rows', () => {
    expect(parseEpss(csv(), 'e.csv').scores.size).toBe(0);
  });

  it('accepts the metadata fields in either order', () => {
    const text = `#score_date:2024-01-02T00:00:00+0000,model_version:v2023.03.01\n${HEADER}\nCVE-2024-0001,0.5,0.5`;
    expect(parseEpss(text, 'e.csv')).toMatchObject({ date: '2024-01-02', modelVersion: 'v2023.03.01' });
  });
});

describe('parseEpss on malformed input', () => {
  it.each<[string, string, string, string]>([
    ['an empty file', '', 'PW_INPUT_MALFORMED', 'e.csv: empty file, expected EPSS CSV'],
    ['a blank file', ' \n\n', 'PW_INPUT_MALFORMED', 'e.csv: empty file'],
    ['no metadata line', `${HEADER}\nCVE-2024-0001,0.5,0.5`, 'PW_INPUT_INVALID', 'e.csv: line 1: expected the "#model_version:…,score_date:…" line first'],
    ['no model version', `#score_date:2024-01-02\n${HEADER}`, 'PW_INPUT_INVALID', 'e.csv: line 1: the first line has no model_version'],
    ['a bad score date', `#model_version:v1,score_date:soon\n${HEADER}`, 'PW_INPUT_INVALID', 'score_date "soon" does not start with a YYYY-MM-DD date'],
    ['no header', META, 'PW_INPUT_INVALID', 'e.csv: line 2: expected the header "cve,epss,percentile", found ""'],
    ['two fields', csv('CVE-2024-0001,0.5'), 'PW_INPUT_MALFORMED', 'e.csv: line 3: expected 3 fields'],
    ['four fields', csv('CVE-2024-0001,0.5,0.5,x'), 'PW_INPUT_MALFORMED', 'e.csv: line 3: expected 3 fields'],
    ['one field', csv('CVE-2024-0001,0.1,0.2', 'garbage'), 'PW_INPUT_MALFORMED', 'e.csv: line 4: expected 3 fields'],
    ['a bad CVE id', csv('CVE-2024-1,0.5,0.5'), 'PW_INPUT_INVALID', 'e.csv: line 3: "CVE-2024-1" is not a CVE id'],
    ['a GHSA id', csv('GHSA-xxxx-yyyy-zzzz,0.5,0.5'), 'PW_INPUT_INVALID', 'is not a CVE id'],
    ['a non-numeric score', csv('CVE-2024-0001,high,0.5'), 'PW_INPUT_INVALID', 'e.csv: line 3: epss "high" is not a number'],
    ['an empty score', csv('CVE-2024-0001,,0.5'), 'PW_INPUT_INVALID', 'e.csv: line 3: epss is empty'],
    ['a blank score', csv('CVE-2024-0001, ,0.5'), 'PW_INPUT_INVALID', 'epss " " is not a number'],
    ['a hexadecimal score', csv('CVE-2024-0001,0x1,0.5'), 'PW_INPUT_INVALID', 'epss "0x1" is not a number'],
    ['a double dot', csv('CVE-2024-0001,0.1.2,0.5'), 'PW_INPUT_INVALID', 'epss "0.1.2" is not a number'],
    ['a negative score', csv('CVE-2024-0001,-0.1,0.5'), 'PW_INPUT_INVALID', 'epss "-0.1" is not a number'],
    ['a score above 1', csv('CVE-2024-0001,1.2,0.5'), 'PW_INPUT_INVALID', 'e.csv: line 3: epss "1.2" is outside 0–1'],
    ['a percentile above 1', csv('CVE-2024-0001,0.5,100'), 'PW_INPUT_INVALID', 'e.csv: line 3: percentile "100" is outside 0–1'],
    ['an empty percentile', csv('CVE-2024-0001,0.5,'), 'PW_INPUT_INVALID', 'percentile is empty'],
    ['a CVE listed twice', csv('CVE-2024-0001,0.5,0.5', 'cve-2024-0001,0.4,0.4'), 'PW_INPUT_INVALID', 'e.csv: line 4: CVE-2024-0001 is listed twice'],
  ])('rejects %s', (_what, text, code, message) => {
    const err = caught(() => parseEpss(text, 'e.csv'));
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
  });

  it('rejects non-text input', () => {
    expect(caught(() => parseEpss(undefined as unknown as string, 'e.csv')).code).toBe('PW_INPUT_INVALID');
  });
});

describe('parseEpss at the size of the full daily dump', () => {
  it('parses 300,000 rows in well under a second', () => {
    const rows: string[] = [];
    for (let i = 0; i < 300_000; i++) {
      const year = 1999 + (i % 27);
      rows.push(`CVE-${year}-${String(i).padStart(5, '0')},${(i % 99_991) / 100_000},${(i % 100_000) / 100_000}`);
    }
    const text = [META, HEADER, ...rows, ''].join('\n');
    // Best of three: the first run includes JIT warm-up, and CI machines are shared.
    let elapsed = Infinity;
    let parsed = parseEpss(text, 'epss_scores-2023-03-17.csv');
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      parsed = parseEpss(text, 'epss_scores-2023-03-17.csv');
      elapsed = Math.min(elapsed, performance.now() - start);
    }
    expect(parsed.scores.size).toBe(300_000);
    expect(parsed.scores.get('CVE-1999-00000')).toEqual({ score: 0, percentile: 0 });
    expect(parsed.scores.get('CVE-2000-00001')).toEqual({ score: 0.00001, percentile: 0.00001 });
    // About 0.3 s on the 2-core reference machine (docs/enrichment.md); the bound leaves headroom.
    expect(elapsed).toBeLessThan(1000);
  });
});
