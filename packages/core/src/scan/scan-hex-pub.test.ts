/**
 * Elixir and Dart libraries in an SBOM are assessed: the scan reads `pkg:hex` and `pkg:pub` purls
 * from CycloneDX files and decides GitHub advisories (OSV format) for them in Elixir's and
 * pub_semver's own order.
 *
 * The two records are written here from the OSV schema, modelled on two real advisories of the
 * GitHub Advisory Database: GHSA-p8f7-22gq-m7j9 (CVE-2022-42975, Hex `phoenix` before 1.6.14,
 * check_origin wildcarding) and GHSA-4rgh-jx4f-qfcq (CVE-2020-35669, Pub `http` before 0.13.3,
 * header injection): the same ids, aliases, package names, range and severity, other fields
 * shortened. The installed versions are chosen where each ecosystem's order differs from the
 * generic fallback's: a numeric pre-release (`1.6.14-0`, which the fallback reads as 1.6.14.0 =
 * 1.6.14) and build metadata (`+build`, which the fallback reads as a word, older than the fix).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOsvRecord } from '../advisories/index.js';
import { Matcher } from '../matching/index.js';
import { HostReporter, scanInventories } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-scan-hex-pub-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PHOENIX = {
  schema_version: '1.4.0',
  id: 'GHSA-p8f7-22gq-m7j9',
  modified: '2023-01-27T05:02:41Z',
  published: '2022-10-17T12:00:23Z',
  aliases: ['CVE-2022-42975'],
  summary: 'Phoenix before 1.6.14 mishandles check_origin wildcarding',
  details: 'socket/transport.ex in Phoenix before 1.6.14 mishandles check_origin wildcarding ...',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N' }],
  affected: [{ package: { ecosystem: 'Hex', name: 'phoenix' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.6.14' }] }] }],
  references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2022-42975' }],
  database_specific: { cwe_ids: ['CWE-346', 'CWE-863'], severity: 'HIGH', github_reviewed: true },
};

const HTTP = {
  schema_version: '1.4.0',
  id: 'GHSA-4rgh-jx4f-qfcq',
  modified: '2023-01-27T05:02:41Z',
  published: '2022-05-24T17:37:16Z',
  aliases: ['CVE-2020-35669'],
  summary: 'http before 0.13.3 vulnerable to header injection',
  details: 'If the attacker controls the HTTP method and the app is using Request directly, CRLF injection is possible ...',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N' }],
  affected: [{ package: { ecosystem: 'Pub', name: 'http' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.13.3' }] }] }],
  references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2020-35669' }],
  database_specific: { cwe_ids: ['CWE-74'], severity: 'MODERATE', github_reviewed: true },
};

function sbom(host: string, purls: readonly string[]): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    metadata: { component: { type: 'application', name: host } },
    components: purls.map((purl) => ({ type: 'library', name: purl.replace(/@.*/, '').split('/').pop(), purl })),
  });
}

async function scan(files: Record<string, string>): Promise<Record<string, string[]>> {
  const matcher = new Matcher([PHOENIX, HTTP].map((r) => parseOsvRecord(r, `${r.id}.json`).advisory));
  const paths = Object.entries(files).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
  const found: Record<string, string[]> = {};
  for await (const event of scanInventories(paths, { matcher, reporter: new HostReporter() })) {
    if (event.kind !== 'host') throw new Error(`skipped: ${event.error.message}`);
    expect(event.problems).toEqual([]);
    found[event.report.host] = event.report.findings.map((f) => `${f.advisory} ${f.package} ${f.installed} → ${f.fixed ?? '-'} (${f.severity ?? '?'})`);
  }
  return found;
}

describe('scan: Hex and Pub libraries in CycloneDX', () => {
  it("decides a Hex advisory in Elixir's order: pre-releases before the fix, build metadata ignored", async () => {
    expect(
      await scan({
        'hex-old.cdx.json': sbom('hex-old', ['pkg:hex/phoenix@1.6.13', 'pkg:hex/plug@1.14.0']),
        'hex-rc.cdx.json': sbom('hex-rc', ['pkg:hex/phoenix@1.6.14-rc.1']),
        // SemVer's lowest pre-release of 1.6.14: still before it.
        'hex-zero.cdx.json': sbom('hex-zero', ['pkg:hex/phoenix@1.6.14-0']),
        'hex-fixed.cdx.json': sbom('hex-fixed', ['pkg:hex/phoenix@1.6.14']),
        // Build metadata does not count: this is 1.6.14, the fix.
        'hex-build.cdx.json': sbom('hex-build', ['pkg:hex/phoenix@1.6.14%2Bvendored']),
        'hex-new.cdx.json': sbom('hex-new', ['pkg:hex/Phoenix@1.7.0-rc.0']),
      }),
    ).toEqual({
      'hex-old': ['GHSA-p8f7-22gq-m7j9 phoenix 1.6.13 → 1.6.14 (high)'],
      'hex-rc': ['GHSA-p8f7-22gq-m7j9 phoenix 1.6.14-rc.1 → 1.6.14 (high)'],
      'hex-zero': ['GHSA-p8f7-22gq-m7j9 phoenix 1.6.14-0 → 1.6.14 (high)'],
      'hex-fixed': [],
      'hex-build': [],
      'hex-new': [],
    });
  });

  it("decides a Pub advisory in pub_semver's order: pre-releases before the fix, a build after it", async () => {
    expect(
      await scan({
        'pub-old.cdx.json': sbom('pub-old', ['pkg:pub/http@0.12.2', 'pkg:pub/path@1.8.0']),
        'pub-pre.cdx.json': sbom('pub-pre', ['pkg:pub/http@0.13.3-nullsafety.0']),
        'pub-zero.cdx.json': sbom('pub-zero', ['pkg:pub/http@0.13.3-0']),
        'pub-fixed.cdx.json': sbom('pub-fixed', ['pkg:pub/http@0.13.3']),
        // A build is newer than its plain version in pub: 0.13.3+1 and 0.13.3+hotfix are past the
        // fix, 0.13.2+9 is not.
        'pub-build.cdx.json': sbom('pub-build', ['pkg:pub/http@0.13.3%2B1']),
        'pub-word-build.cdx.json': sbom('pub-word-build', ['pkg:pub/http@0.13.3%2Bhotfix.2']),
        'pub-old-build.cdx.json': sbom('pub-old-build', ['pkg:pub/http@0.13.2+9']),
        // Leading zeros are the same numbers.
        'pub-zeros.cdx.json': sbom('pub-zeros', ['pkg:pub/http@0.013.03']),
      }),
    ).toEqual({
      'pub-old': ['GHSA-4rgh-jx4f-qfcq http 0.12.2 → 0.13.3 (medium)'],
      'pub-pre': ['GHSA-4rgh-jx4f-qfcq http 0.13.3-nullsafety.0 → 0.13.3 (medium)'],
      'pub-zero': ['GHSA-4rgh-jx4f-qfcq http 0.13.3-0 → 0.13.3 (medium)'],
      'pub-fixed': [],
      'pub-build': [],
      'pub-word-build': [],
      'pub-old-build': ['GHSA-4rgh-jx4f-qfcq http 0.13.2+9 → 0.13.3 (medium)'],
      'pub-zeros': [],
    });
  });
});
