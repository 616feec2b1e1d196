import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { advisoryTypeOf, parseOsvRecord, severityFromSummary } from './index.js';

// Real Ubuntu OSV records (anchore/vunnel test fixtures, Apache-2.0; see ../shared/data/README.md).
const UBUNTU = fileURLToPath(new URL('../../../../../shared/data/osv/samples/ubuntu-osv/', import.meta.url));
const ubuntuRecord = (path: string) => parseOsvRecord(JSON.parse(readFileSync(UBUNTU + path, 'utf8')), path);

const alsa = {
  id: 'ALSA-2021:2363',
  summary: 'Important: gupnp security update',
  affected: [
    { package: { ecosystem: 'AlmaLinux:8', name: 'gupnp' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.6-2.el8_4' }] }] },
  ],
  related: ['CVE-2021-33516'],
  published: '2021-06-09T12:54:08Z',
  modified: '2021-11-12T10:20:56Z',
};

describe('parseOsvRecord', () => {
  it('reads an AlmaLinux record: CVEs from related, vendor severity from the summary, type from the id', () => {
    const { advisory, warnings } = parseOsvRecord(alsa, 'a.json');
    expect(warnings).toEqual([]);
    expect(advisory).toMatchObject({
      id: 'ALSA-2021:2363',
      cves: ['CVE-2021-33516'],
      type: 'security',
      vendorSeverity: { severity: 'high', label: 'Important' },
      affected: [{ ecosystem: 'AlmaLinux:8', name: 'gupnp', versions: [] }],
      source: 'a.json',
    });
    expect(advisory.affected[0]?.ranges[0]?.events).toEqual([{ introduced: '0' }, { fixed: '1.0.6-2.el8_4' }]);
  });

  it('scores CVSS vectors, normalises PyPI names, drops GIT ranges and keeps enumerated versions', () => {
    const { advisory } = parseOsvRecord(
      {
        id: 'PYSEC-2023-1',
        modified: '2024-01-01T00:00:00Z',
        aliases: ['CVE-2023-0001', 'GHSA-xxxx-yyyy-zzzz'],
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'Foo_Bar.baz' },
            ranges: [
              { type: 'GIT', repo: 'x', events: [{ introduced: 'abc' }] },
              { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { last_affected: '1.4' }] },
            ],
            versions: ['1.0', '1.4'],
          },
        ],
      },
      'p.yaml',
    );
    expect(advisory.cves).toEqual(['CVE-2023-0001']);
    expect(advisory.cvss).toMatchObject([{ version: '3.1', baseScore: 9.8, severity: 'critical' }]);
    expect(advisory.affected).toEqual([
      { ecosystem: 'PyPI', name: 'foo-bar-baz', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { last_affected: '1.4' }] }], versions: ['1.0', '1.4'] },
    ]);
  });

  it('leaves out entries of unknown ecosystems and unscorable vectors with warnings, keeping the rest', () => {
    const { advisory, warnings } = parseOsvRecord(
      {
        id: 'X-1',
        modified: '2024-01-01T00:00:00Z',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:Q' }],
        affected: [
          { package: { ecosystem: 'Nope', name: 'a' } },
          { package: { ecosystem: 'npm', name: '@s/b' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { limit: '2.0.0' }] }] },
        ],
      },
      'x.json',
    );
    expect(advisory.affected.map((a) => a.name)).toEqual(['@s/b']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^severity\[0\]: /);
    expect(warnings[1]).toBe('affected[0]: unknown ecosystem "Nope", entry left out');
  });

  it('refuses malformed records with the field path and the source', () => {
    expect(() => parseOsvRecord({ summary: 'x' }, 'f.json')).toThrow('f.json: field "id": missing or not a string');
    expect(() => parseOsvRecord([], 'f.json')).toThrow('field "record": not an object');
    expect(() => parseOsvRecord({ id: 'A', modified: '2024-01-01T00:00:00Z', affected: {} }, 'f.json')).toThrow('f.json (A): field "affected": not a list');
    expect(() =>
      parseOsvRecord({ id: 'A', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1' }] }] }] }, 'f.json'),
    ).toThrow('affected[0].ranges[0].events[0]": an event needs exactly one of');
    expect(() => parseOsvRecord({ id: 'A', modified: '2024-01-01T00:00:00Z', aliases: [1] }, 'f.json')).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
  });

  it('refuses a record without modified, which OSV 1.6 requires beside id', () => {
    expect(() => parseOsvRecord({ id: 'X' }, 'x.json')).toThrow('x.json (X): field "modified": missing; OSV 1.6 requires it (when the record was last changed)');
    expect(() => parseOsvRecord({ id: 'X', modified: ' ' }, 'x.json')).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', input: 'x.json (X)' }));
    expect(() => parseOsvRecord({ id: 'X', modified: 20240101 }, 'x.json')).toThrow('x.json (X): field "modified": not a string');
    // Records an earlier release stored without it are still read when the caller says so.
    expect(parseOsvRecord({ id: 'X' }, 'stored advisory X', { requireModified: false }).advisory).toMatchObject({ id: 'X', modified: undefined });
  });
});

describe.skipIf(!existsSync(UBUNTU))('Ubuntu OSV records', () => {
  it('takes the CVE from upstream, where Ubuntu puts it', () => {
    const { advisory } = ubuntuRecord('cve/2021/UBUNTU-CVE-2021-3782.json');
    expect(advisory.cves).toEqual(['CVE-2021-3782']);
    expect(advisory.upstream).toEqual(['CVE-2021-3782']);
    expect(ubuntuRecord('cve/2026/UBUNTU-CVE-2026-1403.json').advisory.cves).toEqual(['CVE-2026-1403']);
  });

  it("reads a USN's upstream UBUNTU-CVE id as that CVE", () => {
    const { advisory } = ubuntuRecord('usn/USN-5614-1.json');
    expect(advisory.upstream).toEqual(['UBUNTU-CVE-2021-3782']);
    expect(advisory.cves).toEqual(['CVE-2021-3782']);
  });

  it("uses Ubuntu's priority as the vendor severity", () => {
    expect(ubuntuRecord('cve/2021/UBUNTU-CVE-2021-3782.json').advisory.vendorSeverity).toEqual({ severity: 'medium', label: 'medium' });
    // Negligible is Ubuntu's lowest priority: low on the shared scale, as Debian's "unimportant".
    const { advisory, warnings } = ubuntuRecord('cve/2016/UBUNTU-CVE-2016-20013.json');
    expect(advisory.vendorSeverity).toEqual({ severity: 'low', label: 'negligible' });
    expect(warnings).toEqual([]);
  });
});

describe('Ubuntu priorities', () => {
  const withPriority = (score: string) =>
    parseOsvRecord({ id: 'UBUNTU-CVE-2099-1', modified: '2024-01-01T00:00:00Z', upstream: ['CVE-2099-1'], severity: [{ type: 'Ubuntu', score }] }, 'u.json');

  it('maps every word of the Ubuntu CVE tracker onto the shared scale', () => {
    const words = ['critical', 'high', 'medium', 'low', 'negligible'];
    expect(words.map((w) => withPriority(w).advisory.vendorSeverity?.severity)).toEqual(['critical', 'high', 'medium', 'low', 'low']);
  });

  it('gives no severity for untriaged, and warns about a word it does not know', () => {
    expect(withPriority('untriaged')).toMatchObject({ advisory: { vendorSeverity: undefined }, warnings: [] });
    expect(withPriority('urgent')).toMatchObject({
      advisory: { vendorSeverity: undefined },
      warnings: ['severity[0]: Ubuntu priority "urgent" is not known, left out'],
    });
  });

  it('prefers the summary prefix and database_specific, as before', () => {
    const { advisory } = parseOsvRecord(
      { id: 'X-1', modified: '2024-01-01T00:00:00Z', database_specific: { severity: 'HIGH' }, severity: [{ type: 'Ubuntu', score: 'low' }] },
      'x.json',
    );
    expect(advisory.vendorSeverity).toEqual({ severity: 'high', label: 'HIGH' });
  });
});

describe('advisory types and vendor severity', () => {
  it('tells security, bug-fix and enhancement advisories apart by id', () => {
    expect(['ALSA-2024:1', 'RHSA-2024:1', 'RLSA-2024:1', 'DSA-5000-1', 'DLA-1-1', 'USN-6000-1', 'GHSA-a', 'PYSEC-1', 'CVE-2024-1', 'SUSE-SU-2024:1'].map(advisoryTypeOf)).toEqual(
      Array(10).fill('security'),
    );
    expect(['ALBA-2024:1', 'RHBA-2024:1', 'RLBA-2024:1', 'SUSE-RU-2024:1'].map(advisoryTypeOf)).toEqual(Array(4).fill('bugfix'));
    expect(['ALEA-2024:1', 'RHEA-2024:1', 'RLEA-2024:1', 'SUSE-FU-2024:1'].map(advisoryTypeOf)).toEqual(Array(4).fill('enhancement'));
  });

  it('reads the Red Hat-family summary prefix', () => {
    expect(severityFromSummary('Critical: x')).toEqual({ severity: 'critical', label: 'Critical' });
    expect(severityFromSummary('Moderate: x')).toEqual({ severity: 'medium', label: 'Moderate' });
    expect(severityFromSummary('Low: x')?.severity).toBe('low');
    expect(severityFromSummary('nginx:1.18 bug fix update')).toBeUndefined();
    expect(severityFromSummary('new module: x')).toBeUndefined();
  });
});
