/**
 * .NET libraries in an SBOM are assessed: `patchwise scan` reads `pkg:nuget` purls from
 * CycloneDX and decides GitHub advisories for them in NuGet's own version order, whatever the
 * casing of the package id.
 *
 * The advisory is written here from the OSV schema, modelled on GHSA-ghhp-997w-qr28 of the GitHub
 * Advisory Database (CVE-2021-26701, System.Text.Encodings.Web, critical): the id, alias,
 * package name as GitHub spells it, and three introduced/fixed ranges (4.0.0–4.5.1,
 * 4.6.0–4.7.2, 5.0.0–5.0.1), one `affected` entry per range as GitHub writes them; details
 * shortened.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { librarySbom, type LibraryScanJson } from './support/library-sbom.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-cli-nuget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENCODINGS_WEB = {
  schema_version: '1.4.0',
  id: 'GHSA-ghhp-997w-qr28',
  modified: '2023-01-27T00:00:00Z',
  published: '2021-02-25T00:00:00Z',
  aliases: ['CVE-2021-26701'],
  summary: '.NET Core Remote Code Execution Vulnerability',
  details: 'A remote code execution vulnerability exists in .NET 5 and .NET Core due to how text encoding is performed ...',
  severity: [],
  affected: [
    ['4.0.0', '4.5.1'],
    ['4.6.0', '4.7.2'],
    ['5.0.0', '5.0.1'],
  ].map(([introduced, fixed]) => ({
    package: { ecosystem: 'NuGet', name: 'System.Text.Encodings.Web' },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced }, { fixed }] }],
  })),
  references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-26701' }],
  database_specific: { cwe_ids: [], severity: 'CRITICAL', github_reviewed: true },
};

describe('patchwise scan: NuGet libraries in CycloneDX', () => {
  it('matches NuGet ids case-insensitively, in NuGet version order (four parts, pre-releases, metadata)', () => {
    const advisories = join(dir, 'advisories');
    mkdirSync(advisories);
    writeFileSync(join(advisories, 'GHSA-ghhp-997w-qr28.json'), JSON.stringify(ENCODINGS_WEB));
    const files = {
      // SBOM tools write the id as the project file does: here in lower case.
      'api.cdx.json': librarySbom('api', ['pkg:nuget/system.text.encodings.web@4.5.0', 'pkg:nuget/Newtonsoft.Json@13.0.1']),
      // A fourth number: 4.7.1.9 is before the 4.7.2 fix, 4.7.2.1 after it.
      'four-part.cdx.json': librarySbom('four-part', ['pkg:nuget/System.Text.Encodings.Web@4.7.1.9']),
      'four-part-fixed.cdx.json': librarySbom('four-part-fixed', ['pkg:nuget/SYSTEM.TEXT.ENCODINGS.WEB@4.7.2.1']),
      // A pre-release of the fix is still affected; a pre-release of 5.0.0 is before the range.
      'preview.cdx.json': librarySbom('preview', ['pkg:nuget/System.Text.Encodings.Web@5.0.1-RC.1.20451.14']),
      'before-range.cdx.json': librarySbom('before-range', ['pkg:nuget/System.Text.Encodings.Web@5.0.0-rc.2.20475.5']),
      // Build metadata is ignored: this is the fix itself (the generic order made it older).
      'metadata.cdx.json': librarySbom('metadata', ['pkg:nuget/System.Text.Encodings.Web@4.7.2%2Bbuild.7']),
      // NuGet refuses a 'v': named in a warning, not guessed.
      'v-prefix.cdx.json': librarySbom('v-prefix', ['pkg:nuget/System.Text.Encodings.Web@v4.5.0']),
    };
    const paths = Object.entries(files).map(([name, doc]) => {
      writeFileSync(join(dir, name), JSON.stringify(doc));
      return join(dir, name);
    });
    const r = runCli(['scan', '--advisories', advisories, '--format', 'json', ...paths]);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/v-prefix\.cdx\.json: package system\.text\.encodings\.web v4\.5\.0 \(NuGet\): .*starts with 'v'/),
    ]);
    expect(r.status).toBe(0);
    const findings = Object.fromEntries(
      (JSON.parse(r.stdout) as LibraryScanJson).hosts.map((h) => [h.host, h.findings.map((f) => `${f.advisory} ${f.package} ${f.installed} → ${f.fixed ?? '-'} (${f.severity ?? '?'})`)]),
    );
    expect(findings).toEqual({
      api: ['GHSA-ghhp-997w-qr28 system.text.encodings.web 4.5.0 → 4.5.1 (critical)'],
      'four-part': ['GHSA-ghhp-997w-qr28 system.text.encodings.web 4.7.1.9 → 4.7.2 (critical)'],
      'four-part-fixed': [],
      preview: ['GHSA-ghhp-997w-qr28 system.text.encodings.web 5.0.1-RC.1.20451.14 → 5.0.1 (critical)'],
      'before-range': [],
      metadata: [],
      'v-prefix': [],
    });
  });
});
