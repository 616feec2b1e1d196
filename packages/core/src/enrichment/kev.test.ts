import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { sharedData } from '../../test/support/shared-data.js';
import { parseKev } from './index.js';

const read = (name: string): string => readFileSync(sharedData('kev', name), 'utf8');
const FULL = 'known_exploited_vulnerabilities.json';
const SAMPLE = 'vunnel-valid-catalog-1.json';

describe('parseKev on the real CISA catalog (2025.08.25)', () => {
  const catalog = parseKev(read(FULL), FULL);

  it('reads the catalog header', () => {
    expect(catalog.source).toBe(FULL);
    expect(catalog.catalogVersion).toBe('2025.08.25');
    expect(catalog.dateReleased).toBe('2025-08-25T17:04:19.9796Z');
    expect(catalog.declaredCount).toBe(1404);
  });

  it('reads every entry, 293 of them with known ransomware use', () => {
    expect(catalog.entries.size).toBe(1404);
    expect([...catalog.entries.values()].filter((e) => e.knownRansomwareCampaignUse)).toHaveLength(293);
  });

  it('keeps the fields of an entry', () => {
    expect(catalog.entries.get('CVE-2025-48384')).toMatchObject({
      cveId: 'CVE-2025-48384',
      vendorProject: 'Git',
      product: 'Git',
      vulnerabilityName: 'Git Link Following Vulnerability',
      dateAdded: '2025-08-25',
      dueDate: '2025-09-15',
      knownRansomwareCampaignUse: false,
      cwes: ['CWE-59', 'CWE-436'],
    });
  });

  it('lists the same CVEs as CISA\'s CSV edition of the catalog', () => {
    const csvIds = read('known_exploited_vulnerabilities.csv')
      .split('\n')
      .slice(1)
      .filter((line) => line.startsWith('CVE-'))
      .map((line) => line.slice(0, line.indexOf(',')));
    expect(new Set(csvIds)).toEqual(new Set(catalog.entries.keys()));
  });
});

describe('parseKev on the vunnel sample catalog', () => {
  const catalog = parseKev(read(SAMPLE), SAMPLE);

  it('keeps the declared count even though the sample was trimmed to 3 entries', () => {
    expect(catalog.declaredCount).toBe(1273);
    expect([...catalog.entries.keys()]).toEqual(['CVE-2025-0108', 'CVE-2024-53704', 'CVE-2024-57727']);
  });

  it('trims stray blanks ("SimpleHelp ")', () => {
    expect(catalog.entries.get('CVE-2024-57727')?.vendorProject).toBe('SimpleHelp');
  });
});

describe('parseKev on malformed input', () => {
  type Mutable = Record<string, unknown> & { vulnerabilities: Record<string, unknown>[] };
  const sample = (): Mutable => JSON.parse(read(SAMPLE)) as Mutable;
  const entry = (catalog: Mutable, index: number): Record<string, unknown> => {
    const found = catalog.vulnerabilities[index];
    if (!found) throw new Error(`no entry ${index}`);
    return found;
  };
  const parseMutated = (mutate: (c: Mutable) => void): { code: string; message: string } => {
    const catalog = sample();
    mutate(catalog);
    return caught(() => parseKev(JSON.stringify(catalog), 'feeds/kev.json'));
  };

  it('reports text that is not JSON as PW_INPUT_MALFORMED, naming the source', () => {
    const err = caught(() => parseKev('{"catalogVersion": "2025.01.01",', 'feeds/kev.json'));
    expect(err.code).toBe('PW_INPUT_MALFORMED');
    expect(err.message).toMatch(/^feeds\/kev\.json: not valid JSON/);
  });

  it.each([
    ['an array at the top', '[]', 'expected an object, got an array'],
    ['an object without fields', '{}', 'catalogVersion: missing required string'],
    ['a string', '"KEV"', 'expected an object'],
  ])('rejects %s', (_what, text, reason) => {
    const err = caught(() => parseKev(text, 'feeds/kev.json'));
    expect(err.code).toBe('PW_INPUT_INVALID');
    expect(err.message).toContain('feeds/kev.json: ');
    expect(err.message).toContain(reason);
  });

  it.each<[string, (c: Mutable) => void, string]>([
    ['vulnerabilities not an array', (c) => (c.vulnerabilities = {} as never), 'vulnerabilities: expected an array'],
    ['a bad release date', (c) => (c['dateReleased'] = 'yesterday'), 'dateReleased: "yesterday" is not an ISO 8601'],
    ['a count that is not a number', (c) => (c['count'] = '3'), 'count: expected a non-negative integer'],
    ['an entry that is not an object', (c) => (c.vulnerabilities[1] = 'CVE-2024-53704' as never), 'vulnerabilities[1]: expected an object'],
    ['a bad CVE id', (c) => (entry(c, 1)['cveID'] = 'CVE-24-53704'), 'vulnerabilities[1].cveID: "CVE-24-53704" is not a CVE id'],
    ['a missing vendor', (c) => delete entry(c, 1)['vendorProject'], 'vulnerabilities[1] (CVE-2024-53704).vendorProject: missing required string'],
    ['a number as product', (c) => (entry(c, 1)['product'] = 42), 'vulnerabilities[1] (CVE-2024-53704).product: expected a string, got number 42'],
    ['an impossible due date', (c) => (entry(c, 2)['dueDate'] = '2025-02-30'), 'vulnerabilities[2] (CVE-2024-57727).dueDate: "2025-02-30" is not a YYYY-MM-DD date'],
    ['a US-style date', (c) => (entry(c, 0)['dateAdded'] = '02/18/2025'), '(CVE-2025-0108).dateAdded: "02/18/2025" is not a YYYY-MM-DD'],
    ['a ransomware flag other than Known/Unknown', (c) => (entry(c, 0)['knownRansomwareCampaignUse'] = 'Maybe'), '(CVE-2025-0108).knownRansomwareCampaignUse: expected "Known" or "Unknown", got "Maybe"'],
    ['a bad CWE', (c) => (entry(c, 0)['cwes'] = ['CWE-306', 'XSS']), '(CVE-2025-0108).cwes[1]: expected a CWE id'],
    ['a CVE listed twice', (c) => (entry(c, 2)['cveID'] = 'cve-2025-0108'), 'vulnerabilities[2]: CVE-2025-0108 is listed twice'],
  ])('rejects %s, naming the entry', (_what, mutate, reason) => {
    const err = parseMutated(mutate);
    expect(err.code).toBe('PW_INPUT_INVALID');
    expect(err.message).toContain('feeds/kev.json: ');
    expect(err.message).toContain(reason);
  });

  it('normalises CVE ids and treats a missing ransomware flag and CWE list as unknown/empty', () => {
    const catalog = sample();
    entry(catalog, 0)['cveID'] = ' cve-2025-0108 ';
    delete entry(catalog, 0)['knownRansomwareCampaignUse'];
    delete entry(catalog, 0)['cwes'];
    entry(catalog, 1)['knownRansomwareCampaignUse'] = 'Known';
    const parsed = parseKev(JSON.stringify(catalog), 'k.json');
    expect(parsed.entries.get('CVE-2025-0108')).toMatchObject({ knownRansomwareCampaignUse: false, cwes: [] });
    expect(parsed.entries.get('CVE-2024-53704')?.knownRansomwareCampaignUse).toBe(true);
  });
});
