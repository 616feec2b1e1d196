/**
 * A NuGet advisory decided through the scan pipeline (file reading, CycloneDX, matching,
 * reporting) for `pkg:nuget` components. The OSV record is written here from the OSV schema,
 * modelled on GHSA-ghhp-997w-qr28 (CVE-2021-26701, System.Text.Encodings.Web): GitHub's package
 * casing and one of its ranges, introduced 4.0.0, fixed 4.5.1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOsvRecord } from '../advisories/index.js';
import { Matcher } from '../matching/index.js';
import { HostReporter } from './host-report.js';
import { scanInventories } from './scan-inventories.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-scan-nuget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { advisory } = parseOsvRecord(
  {
    schema_version: '1.4.0',
    id: 'GHSA-ghhp-997w-qr28',
    modified: '2023-01-27T00:00:00Z',
    aliases: ['CVE-2021-26701'],
    summary: '.NET Core Remote Code Execution Vulnerability',
    affected: [{ package: { ecosystem: 'NuGet', name: 'System.Text.Encodings.Web' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '4.0.0' }, { fixed: '4.5.1' }] }] }],
    database_specific: { severity: 'CRITICAL' },
  },
  'GHSA-ghhp-997w-qr28.json',
);

async function scan(purlsByHost: Record<string, string[]>): Promise<Record<string, string[]>> {
  const paths = Object.entries(purlsByHost).map(([host, purls]) => {
    const path = join(dir, `${host}.cdx.json`);
    const components = purls.map((purl) => ({ type: 'library', name: 'x', purl }));
    writeFileSync(path, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { component: { type: 'application', name: host } }, components }));
    return path;
  });
  const out: Record<string, string[]> = {};
  for await (const event of scanInventories(paths, { matcher: new Matcher([advisory]), reporter: new HostReporter() })) {
    if (event.kind !== 'host') throw event.error;
    out[event.report.host] = [
      ...event.report.findings.map((f) => `${f.advisory} ${f.package} ${f.installed} → ${f.fixed ?? '-'}`),
      ...event.problems.map((p) => `problem: ${p.message}`),
    ];
  }
  return out;
}

describe('scan: NuGet packages from CycloneDX', () => {
  it("stores the advisory's package id as NuGet compares it (lower case)", () => {
    expect(advisory.affected.map((a) => `${a.ecosystem} ${a.name}`)).toEqual(['NuGet system.text.encodings.web']);
  });

  it('finds the advisory whatever the id casing, in NuGet order: four numbers, pre-releases, leading zeros', async () => {
    expect(
      await scan({
        lower: ['pkg:nuget/system.text.encodings.web@4.5.0'],
        upper: ['pkg:nuget/SYSTEM.TEXT.ENCODINGS.WEB@4.05.0'],
        revision: ['pkg:nuget/System.Text.Encodings.Web@4.5.0.9'],
        'fix-preview': ['pkg:nuget/System.Text.Encodings.Web@4.5.1-Preview.2'],
        'fix-revision': ['pkg:nuget/System.Text.Encodings.Web@4.5.1.0'],
        fixed: ['pkg:nuget/System.Text.Encodings.Web@4.5.1+sha.1a2b'],
        'before-range': ['pkg:nuget/System.Text.Encodings.Web@4.0.0-beta-23516'],
        other: ['pkg:nuget/Newtonsoft.Json@9.0.1'],
        invalid: ['pkg:nuget/System.Text.Encodings.Web@4.5.0.0.1'],
      }),
    ).toEqual({
      lower: ['GHSA-ghhp-997w-qr28 system.text.encodings.web 4.5.0 → 4.5.1'],
      upper: ['GHSA-ghhp-997w-qr28 system.text.encodings.web 4.05.0 → 4.5.1'],
      revision: ['GHSA-ghhp-997w-qr28 system.text.encodings.web 4.5.0.9 → 4.5.1'],
      'fix-preview': ['GHSA-ghhp-997w-qr28 system.text.encodings.web 4.5.1-Preview.2 → 4.5.1'],
      'fix-revision': [],
      fixed: [],
      'before-range': [],
      other: [],
      invalid: [expect.stringMatching(/^problem: .*4\.5\.0\.0\.1 \(NuGet\): .*more than four numbers/)],
    });
  });
});
