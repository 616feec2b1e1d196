import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { sharedData } from '../../test/support/shared-data.js';
import { cvssFromVector } from '../cvss/index.js';
import { nvdModifiedAt, parseNvd } from './index.js';

const read = (name: string): string => readFileSync(sharedData('nvd', name), 'utf8');
const PAGE = 'vunnel-nvd-api2-full-page.json';
const SINGLE = 'vunnel-nvd-api2-single-entry.json';

describe('parseNvd on real NVD CVE API 2.0 pages', () => {
  const page = parseNvd(read(PAGE), PAGE);

  it('reads every CVE of the page', () => {
    expect(page.size).toBe(38);
  });

  it('reads a record with v2 and v3.1 metrics', () => {
    const records = parseNvd(read(SINGLE), SINGLE);
    expect([...records.keys()]).toEqual(['CVE-2022-1576']);
    const record = records.get('CVE-2022-1576');
    expect(record).toMatchObject({
      id: 'CVE-2022-1576',
      published: '2022-07-11T13:15:08.503',
      lastModified: '2024-11-21T06:41:00.133',
      vulnStatus: 'Modified',
      cwes: ['CWE-352'],
      cvss: [
        { version: '2.0', vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:N', baseScore: 4.3, severity: 'medium', type: 'Primary', source: 'nvd@nist.gov', computed: false },
        { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N', baseScore: 6.5, severity: 'medium', type: 'Primary', computed: false },
      ],
    });
    expect(record?.description).toMatch(/^The WP Maintenance Mode & Coming Soon WordPress plugin before 2\.4\.5/);
  });

  it('prefers the Primary metric over a CNA\'s Secondary one', () => {
    // CVE-2021-29913: NVD (Primary) scores 7.1; IBM (Secondary) 6.5, with another vector.
    const metric = page.get('CVE-2022-22384')?.cvss[0];
    expect(metric).toMatchObject({ source: 'nvd@nist.gov', type: 'Primary' });
    expect(page.get('CVE-2021-29913')?.cvss).toEqual([
      expect.objectContaining({ source: 'nvd@nist.gov', vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:L/A:N', baseScore: 7.1 }),
    ]);
  });

  it('falls back to a Secondary metric when there is no Primary one', () => {
    expect(page.get('CVE-2023-5642')?.cvss).toEqual([
      expect.objectContaining({ source: 'vulnreport@tenable.com', type: 'Secondary', baseScore: 9.8, severity: 'critical' }),
    ]);
  });

  it('has no metric for a CVE awaiting analysis without any', () => {
    expect(page.get('CVE-2023-43250')?.cvss).toEqual([]);
    expect(page.get('CVE-2023-43250')?.cwes).toEqual([]);
  });

  it('keeps real CWE ids, NVD\'s own first, and leaves out NVD-CWE-noinfo', () => {
    expect(page.get('CVE-2023-27314')?.cwes).toEqual(['CWE-400']);
    expect(page.get('CVE-2022-22377')?.cwes).toEqual(['CWE-311']);
    expect(page.get('CVE-2023-22068')?.cwes).toEqual([]);
  });

  it('keeps NVD\'s scores, which all equal the scores computed from the vectors', () => {
    let checked = 0;
    for (const record of page.values()) {
      for (const metric of record.cvss) {
        expect(metric.computed).toBe(false);
        expect(metric.baseScore, metric.vector).toBe(cvssFromVector(metric.vector).baseScore);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe('parseNvd: scores computed when NVD gives none', () => {
  it('computes the base score from the vector', () => {
    const page = JSON.parse(read(SINGLE)) as { vulnerabilities: { cve: { metrics: Record<string, { cvssData: Record<string, unknown> }[]> } }[] };
    const cve = page.vulnerabilities[0]?.cve;
    const v31 = cve?.metrics['cvssMetricV31']?.[0]?.cvssData;
    if (!cve || !v31) throw new Error('fixture changed');
    delete v31['baseScore'];
    cve.metrics['cvssMetricV40'] = [
      { source: 'cna@example.org', type: 'Secondary', cvssData: { version: '4.0', vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' } },
    ] as never;
    const record = parseNvd(JSON.stringify(page), 'single.json').get('CVE-2022-1576');
    expect(record?.cvss.map((m) => [m.version, m.baseScore, m.computed])).toEqual([
      ['2.0', 4.3, false],
      ['3.1', 6.5, true],
      ['4.0', 9.3, true],
    ]);
  });
});

describe('parseNvd on malformed input', () => {
  type Page = { vulnerabilities: { cve: Record<string, unknown> }[] } & Record<string, unknown>;
  const parseMutated = (mutate: (page: Page, cve: Record<string, unknown>) => void): { code: string; message: string } => {
    const page = JSON.parse(read(SINGLE)) as Page;
    const cve = page.vulnerabilities[0]?.cve;
    if (!cve) throw new Error('fixture changed');
    mutate(page, cve);
    return caught(() => parseNvd(JSON.stringify(page), 'nvd/page-0.json'));
  };
  const v31 = (cve: Record<string, unknown>): Record<string, unknown> =>
    (cve['metrics'] as Record<string, { cvssData: Record<string, unknown> }[]>)['cvssMetricV31']?.[0]?.cvssData ?? {};

  it('reports text that is not JSON as PW_INPUT_MALFORMED, naming the source', () => {
    const err = caught(() => parseNvd('{"vulnerabilities": [', 'nvd/page-0.json'));
    expect(err.code).toBe('PW_INPUT_MALFORMED');
    expect(err.message).toMatch(/^nvd\/page-0\.json: not valid JSON/);
  });

  it.each<[string, (page: Page, cve: Record<string, unknown>) => void, string]>([
    ['another format', (page) => (page['format'] = 'CVE_RECORD'), 'format: expected "NVD_CVE", got "CVE_RECORD"'],
    ['no vulnerabilities', (page) => delete (page as Partial<Page>).vulnerabilities, 'vulnerabilities: expected an array, got undefined'],
    ['an item without cve', (page) => (page.vulnerabilities[0] = {} as never), 'vulnerabilities[0].cve: expected an object'],
    ['a bad CVE id', (_page, cve) => (cve['id'] = 'CVE-22-1576'), 'vulnerabilities[0].cve.id: "CVE-22-1576" is not a CVE id'],
    ['a bad date', (_page, cve) => (cve['published'] = '11/07/2022'), '(CVE-2022-1576).published: "11/07/2022" is not an ISO 8601 date-time'],
    ['metrics not an object', (_page, cve) => (cve['metrics'] = []), '(CVE-2022-1576).metrics: expected an object, got an array'],
    ['an invalid vector', (_page, cve) => (v31(cve)['vectorString'] = 'CVSS:3.1/AV:N/AC:L'),
      '(CVE-2022-1576).metrics.cvssMetricV31[0].cvssData.vectorString: CVSS:3.1/AV:N/AC:L: invalid CVSS vector: missing mandatory metrics PR, UI, S, C, I, A'],
    ['a v2 vector among v3.1 metrics', (_page, cve) => (v31(cve)['vectorString'] = 'AV:N/AC:M/Au:N/C:N/I:P/A:N'),
      'cvssMetricV31[0].cvssData.vectorString: a CVSS 2.0 vector where 3.1 is expected'],
    ['a mislabelled version', (_page, cve) => (v31(cve)['version'] = '3.0'), 'cvssMetricV31[0].cvssData.version: expected "3.1" in cvssMetricV31, got "3.0"'],
    ['a non-numeric score', (_page, cve) => (v31(cve)['baseScore'] = 'HIGH'), 'cvssData.baseScore: expected a number in 0–10, got "HIGH"'],
    ['a score above 10', (_page, cve) => (v31(cve)['baseScore'] = 11), 'cvssData.baseScore: expected a number in 0–10, got 11'],
    ['a CVE listed twice', (page) => page.vulnerabilities.push(page.vulnerabilities[0] as never), 'vulnerabilities[1]: CVE-2022-1576 appears twice'],
  ])('rejects %s as PW_INPUT_INVALID, naming the source and the place', (_what, mutate, reason) => {
    const err = parseMutated(mutate);
    expect(err.code).toBe('PW_INPUT_INVALID');
    expect(err.message).toContain('nvd/page-0.json: ');
    expect(err.message).toContain(reason);
  });

  it('does not score metrics it does not keep: a bad Secondary vector beside a Primary one is ignored', () => {
    const page = JSON.parse(read(SINGLE)) as Page;
    const metrics = page.vulnerabilities[0]?.cve['metrics'] as Record<string, unknown[]>;
    metrics['cvssMetricV31']?.push({ source: 'cna@example.org', type: 'Secondary', cvssData: { vectorString: 'nonsense' } });
    expect(parseNvd(JSON.stringify(page), 'p.json').get('CVE-2022-1576')?.cvss[1]?.baseScore).toBe(6.5);
  });
});

describe('nvdModifiedAt', () => {
  // NVD writes UTC without a zone; the process may run anywhere (servers in Europe, a laptop).
  const inZone = <T>(tz: string, run: () => T): T => {
    const before = process.env['TZ'];
    process.env['TZ'] = tz;
    try {
      return run();
    } finally {
      if (before === undefined) delete process.env['TZ'];
      else process.env['TZ'] = before;
    }
  };
  const at = (lastModified: string) => nvdModifiedAt({ lastModified });

  it('reads a date-time without a zone as UTC, whatever the process time zone', () => {
    inZone('Europe/Berlin', () => {
      expect(at('2026-11-01T08:00:00.000')).toBe(Date.UTC(2026, 10, 1, 8));
      // A copy written with a zone (a mirror, a converter) compares by the instant it names.
      expect(at('2026-11-01T08:00:00.000')).toBeGreaterThan(at('2026-11-01T07:30:00.000Z'));
      expect(at('2026-11-01T08:00:00.000')).toBeLessThan(at('2026-11-01T08:30:00.000+00:00'));
      expect(at('2026-11-01T08:00:00.000')).toBe(at('2026-11-01T10:00:00.000+0200'));
      expect(at('2026-11-01 08:00:00')).toBe(Date.UTC(2026, 10, 1, 8));
      expect(at('2026-11-01')).toBe(Date.UTC(2026, 10, 1));
    });
  });

  it('keeps the order of two copies across a daylight-saving gap of the process time zone', () => {
    inZone('Europe/Berlin', () => {
      // 02:30 does not exist in Berlin on 2026-03-29; read as local time it lands after 03:10.
      expect(at('2026-03-29T02:30:00.000')).toBeLessThan(at('2026-03-29T03:10:00.000'));
    });
  });
});
