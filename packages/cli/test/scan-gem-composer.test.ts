/**
 * Ruby and PHP libraries in an SBOM are assessed: `patchwise scan` reads `pkg:gem` and
 * `pkg:composer` purls from CycloneDX and decides GitHub advisories for them in RubyGems' and
 * Composer's own version order.
 *
 * The two advisories are cut-down copies of real records of the GitHub Advisory Database in OSV
 * format (github/advisory-database, advisories/github-reviewed/2022/07/GHSA-3hhc-qp5v-9p2j and
 * 2023/02/GHSA-h7vf-5wrv-9fhv; CC-BY-4.0): the same ids, aliases, package names, ranges (one
 * `affected` entry per introduced/fixed pair, as GitHub writes them) and database_specific
 * severity; details and references shortened.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { librarySbom, type LibraryScanJson } from './support/library-sbom.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-cli-gem-composer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GitHub's shape: one affected entry per range. */
function ghsaAffected(ecosystem: string, name: string, ranges: Array<[string, string]>): unknown[] {
  return ranges.map(([introduced, fixed]) => ({
    package: { ecosystem, name },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced }, { fixed }] }],
  }));
}

const ACTIVERECORD = {
  schema_version: '1.2.0',
  id: 'GHSA-3hhc-qp5v-9p2j',
  modified: '2022-08-11T00:19:54Z',
  published: '2022-07-12T19:39:47Z',
  aliases: ['CVE-2022-32224'],
  summary: 'Active Record RCE bug with Serialized Columns',
  details: 'When serialized columns that use YAML (the default) are deserialized, Rails uses YAML.unsafe_load ...',
  severity: [],
  affected: ghsaAffected('RubyGems', 'activerecord', [
    ['7.0.0', '7.0.3.1'],
    ['6.1.0', '6.1.6.1'],
    ['6.0.0', '6.0.5.1'],
    ['0', '5.2.8.1'],
  ]),
  references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2022-32224' }],
  database_specific: { cwe_ids: ['CWE-502'], severity: 'HIGH', github_reviewed: true },
};

const HTTP_KERNEL_RANGES: Array<[string, string]> = [
  ['2.0.0', '4.4.50'],
  ['5.0.0', '5.4.20'],
  ['6.0.0', '6.0.20'],
  ['6.1.0', '6.1.12'],
  ['6.2.0', '6.2.6'],
];

const SYMFONY = {
  schema_version: '1.3.0',
  id: 'GHSA-h7vf-5wrv-9fhv',
  modified: '2023-02-04T00:43:58Z',
  published: '2023-02-01T18:48:09Z',
  aliases: ['CVE-2022-24894'],
  summary: 'Symfony storing cookie headers in HttpCache',
  details: 'The Symfony HTTP cache system acts as a reverse proxy ...',
  severity: [],
  affected: [...ghsaAffected('Packagist', 'symfony/http-kernel', HTTP_KERNEL_RANGES), ...ghsaAffected('Packagist', 'symfony/symfony', HTTP_KERNEL_RANGES)],
  references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2022-24894' }],
  database_specific: { cwe_ids: ['CWE-285'], severity: 'MODERATE', github_reviewed: true, github_reviewed_at: '2023-02-01T18:48:09Z' },
};

describe('patchwise scan: RubyGems and Composer libraries in CycloneDX', () => {
  it('matches gems and Composer packages by OSV name, in their own version order', () => {
    const advisories = join(dir, 'advisories');
    mkdirSync(advisories);
    writeFileSync(join(advisories, 'GHSA-3hhc-qp5v-9p2j.json'), JSON.stringify(ACTIVERECORD));
    writeFileSync(join(advisories, 'GHSA-h7vf-5wrv-9fhv.json'), JSON.stringify(SYMFONY));
    const files = {
      // 7.0.3 is before the 7.0.3.1 fix; 6.1.6.1 is the fix itself; 5.2.8.rc1 is a pre-release of 5.2.8.
      'rails-app.cdx.json': librarySbom('rails-app', ['pkg:gem/activerecord@7.0.3', 'pkg:gem/rack@2.2.4']),
      'rails-fixed.cdx.json': librarySbom('rails-fixed', ['pkg:gem/activerecord@6.1.6.1']),
      'rails-old.cdx.json': librarySbom('rails-old', ['pkg:gem/activerecord@5.2.8.rc1']),
      // Symfony's composer.lock spells versions with a `v`; names arrive as OSV spells them (lower case).
      'php-app.cdx.json': librarySbom('php-app', ['pkg:composer/symfony/http-kernel@v6.2.5', 'pkg:composer/Symfony/Symfony@v5.4.19', 'pkg:composer/monolog/monolog@2.9.1']),
      'php-rc.cdx.json': librarySbom('php-rc', ['pkg:composer/symfony/http-kernel@v6.2.6-RC1']),
      'php-patched.cdx.json': librarySbom('php-patched', ['pkg:composer/symfony/http-kernel@6.2.6-p1']),
      // A branch has no place in a range (docs/versions.md): named in a warning, not guessed.
      'php-branch.cdx.json': librarySbom('php-branch', ['pkg:composer/symfony/symfony@dev-main']),
    };
    const paths = Object.entries(files).map(([name, doc]) => {
      writeFileSync(join(dir, name), JSON.stringify(doc));
      return join(dir, name);
    });
    const r = runCli(['scan', '--advisories', advisories, '--format', 'json', ...paths]);
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/php-branch\.cdx\.json: package symfony\/symfony dev-main \(Packagist\): .*is a branch/)]);
    const findings = Object.fromEntries(
      (JSON.parse(r.stdout) as LibraryScanJson).hosts.map((h) => [h.host, h.findings.map((f) => `${f.advisory} ${f.package} ${f.installed} → ${f.fixed ?? '-'} (${f.severity ?? '?'})`)]),
    );
    expect(findings).toEqual({
      'rails-app': ['GHSA-3hhc-qp5v-9p2j activerecord 7.0.3 → 7.0.3.1 (high)'],
      'rails-fixed': [],
      'rails-old': ['GHSA-3hhc-qp5v-9p2j activerecord 5.2.8.rc1 → 5.2.8.1 (high)'],
      'php-app': ['GHSA-h7vf-5wrv-9fhv symfony/http-kernel v6.2.5 → 6.2.6 (medium)', 'GHSA-h7vf-5wrv-9fhv symfony/symfony v5.4.19 → 5.4.20 (medium)'],
      // 6.2.6-RC1 comes before 6.2.6 in Composer's order: still affected.
      'php-rc': ['GHSA-h7vf-5wrv-9fhv symfony/http-kernel v6.2.6-RC1 → 6.2.6 (medium)'],
      // A patch release (-p1, -pl1, -patch1) comes after its release: fixed.
      'php-patched': [],
      'php-branch': [],
    });
  });
});
