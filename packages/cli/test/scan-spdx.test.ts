/**
 * SPDX JSON SBOMs are first-class inventories: `patchwise scan` of a Trivy-shaped SPDX 2.3
 * document finds exactly what it finds in the equivalent Trivy-shaped CycloneDX SBOM of the same
 * host, against the same OSV records; GitHub's dependency-graph export (SPDX 2.3, wrapped in
 * `sbom` when it comes from the REST API) is read for its npm, PyPI and Maven packages.
 *
 * The advisories are written here from the OSV schema, modelled on published records: a Debian
 * record naming the source package `openssl` (as DSA/DLA records do) with its Debian 12 fix, a
 * Debian record for `util-linux` (a binary with an epoch its source does not have),
 * GHSA-35jh-r3h4-6jhm (lodash command injection, fixed in 4.17.21) and GHSA-jfh8-c2jp-5v3q
 * (Log4Shell, log4j-core 2.13.0–2.15.0). Ids, aliases and ranges as published; details shortened.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-cli-spdx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const osv = (id: string, ecosystem: string, name: string, events: Record<string, string>[], severity: string): unknown => ({
  schema_version: '1.6.0',
  id,
  modified: '2024-03-01T00:00:00Z',
  published: '2024-02-01T00:00:00Z',
  summary: `${name} vulnerability`,
  affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events }] }],
  database_specific: { severity },
});

const ADVISORIES = {
  'DSA-5585-1.json': osv('DSA-5585-1', 'Debian:12', 'openssl', [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }], 'HIGH'),
  'DLA-0000-util-linux.json': osv('DSA-0000-1', 'Debian:12', 'util-linux', [{ introduced: '0' }, { fixed: '2.38.1-5+deb12u2' }], 'MODERATE'),
  'GHSA-35jh-r3h4-6jhm.json': osv('GHSA-35jh-r3h4-6jhm', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }], 'HIGH'),
  'GHSA-jfh8-c2jp-5v3q.json': osv('GHSA-jfh8-c2jp-5v3q', 'Maven', 'org.apache.logging.log4j:log4j-core', [{ introduced: '2.13.0' }, { fixed: '2.15.0' }], 'CRITICAL'),
};

/** One package of the host, as both SBOMs describe it. */
interface Pkg {
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly src?: { readonly name: string; readonly version: string; readonly release: string; readonly epoch?: string };
}

const HOST_PACKAGES: readonly Pkg[] = [
  { name: 'libssl3', version: '3.0.11-1~deb12u2', purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5', src: { name: 'openssl', version: '3.0.11', release: '1~deb12u2' } },
  { name: 'openssl', version: '3.0.13-1~deb12u1', purl: 'pkg:deb/debian/openssl@3.0.13-1~deb12u1?arch=amd64&distro=debian-12.5', src: { name: 'openssl', version: '3.0.13', release: '1~deb12u1' } },
  { name: 'bsdutils', version: '1:2.38.1-5+deb12u1', purl: 'pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u1?arch=amd64&distro=debian-12.5&epoch=1', src: { name: 'util-linux', version: '2.38.1', release: '5+deb12u1' } },
  // A deb without a distro qualifier: its release comes from the operating-system entry.
  { name: 'tzdata', version: '2024a-0+deb12u1', purl: 'pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all' },
  { name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
  { name: 'log4j-core', version: '2.14.1', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
];

const srcVersion = (s: NonNullable<Pkg['src']>): string => `${s.epoch ? `${s.epoch}:` : ''}${s.version}-${s.release}`;

/** The host as Trivy's CycloneDX output describes it (operating-system component, Src* properties). */
function cycloneDx(host: string): unknown {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    metadata: { component: { type: 'container', name: host } },
    components: [
      { type: 'operating-system', name: 'debian', version: '12.5' },
      ...HOST_PACKAGES.map((p) => ({
        'bom-ref': p.purl,
        type: 'library',
        name: p.name,
        version: p.version,
        purl: p.purl,
        properties: p.src
          ? [
              { name: 'aquasecurity:trivy:SrcName', value: p.src.name },
              { name: 'aquasecurity:trivy:SrcVersion', value: p.src.version },
              { name: 'aquasecurity:trivy:SrcRelease', value: p.src.release },
            ]
          : [],
      })),
    ],
  };
}

/** The same host as Trivy's SPDX output describes it (OPERATING-SYSTEM package, sourceInfo). */
function spdx(host: string): unknown {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: host,
    documentNamespace: `http://trivy.dev/container_image/${host}-0f6e1d2c`,
    creationInfo: { creators: ['Organization: aquasecurity', 'Tool: trivy-0.56.2'], created: '2024-11-05T08:00:00Z' },
    packages: [
      { name: host, SPDXID: 'SPDXRef-ContainerImage-1', downloadLocation: 'NONE', primaryPackagePurpose: 'CONTAINER' },
      { name: 'debian', SPDXID: 'SPDXRef-OperatingSystem-2', versionInfo: '12.5', downloadLocation: 'NONE', primaryPackagePurpose: 'OPERATING-SYSTEM' },
      ...HOST_PACKAGES.map((p, i) => ({
        name: p.name,
        SPDXID: `SPDXRef-Package-${i}`,
        versionInfo: p.version,
        downloadLocation: 'NONE',
        filesAnalyzed: false,
        ...(p.src ? { sourceInfo: `built package from: ${p.src.name} ${srcVersion(p.src)}` } : {}),
        externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
        primaryPackagePurpose: 'LIBRARY',
      })),
    ],
    relationships: [{ spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: 'SPDXRef-ContainerImage-1', relationshipType: 'DESCRIBES' }],
  };
}

interface JsonOut {
  hosts: { host: string; source: string; findings: { advisory: string; package: string; installed: string; fixed: string | null; severity: string | null; priority: string }[] }[];
}

function scan(file: string, doc: unknown): { out: JsonOut; stderr: string } {
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify(doc));
  const r = runCli(['scan', '--advisories', join(dir, 'advisories'), '--format', 'json', path]);
  expect(r.status).toBe(0);
  return { out: JSON.parse(r.stdout) as JsonOut, stderr: r.stderr };
}

const lines = (out: JsonOut): string[] => out.hosts.flatMap((h) => h.findings.map((f) => `${h.host} ${f.advisory} ${f.package} ${f.installed} → ${f.fixed ?? '-'}`));

describe('patchwise scan: SPDX JSON SBOMs', () => {
  mkdirSync(join(dir, 'advisories'));
  for (const [name, record] of Object.entries(ADVISORIES)) writeFileSync(join(dir, 'advisories', name), JSON.stringify(record));

  it('finds in a Trivy SPDX SBOM exactly what it finds in the equivalent CycloneDX SBOM', () => {
    const fromCdx = scan('web-03.cdx.json', cycloneDx('web-03')).out;
    const fromSpdx = scan('web-03.spdx.json', spdx('web-03')).out;
    // Each host report whole (distribution, package count, every finding with its priority,
    // severity, fix and reasons), all but the file it was read from.
    const withoutSource = (out: JsonOut): unknown[] => out.hosts.map(({ source: _source, ...rest }) => rest);
    expect(withoutSource(fromSpdx)).toEqual(withoutSource(fromCdx));
    expect(lines(fromSpdx).sort()).toEqual([
      'web-03 DSA-0000-1 util-linux 2.38.1-5+deb12u1 → 2.38.1-5+deb12u2',
      // libssl3 is affected through its source; the openssl binary is at the fix already.
      'web-03 DSA-5585-1 openssl 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1',
      'web-03 GHSA-35jh-r3h4-6jhm lodash 4.17.20 → 4.17.21',
      'web-03 GHSA-jfh8-c2jp-5v3q org.apache.logging.log4j:log4j-core 2.14.1 → 2.15.0',
    ]);
  });

  it("reads GitHub's dependency-graph export, as downloaded and as the REST API wraps it, and says what it left out", () => {
    const exported = {
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'com.github.acme/storefront',
      documentNamespace: 'https://spdx.org/spdxdocs/protobom/3b1c9a0e',
      creationInfo: { creators: ['Tool: protobom-v0.0.13', 'Tool: GitHub.com-Dependency-Graph'], created: '2024-09-30T12:00:00Z' },
      packages: [
        ['com.github.acme/storefront', 'main', 'pkg:github/acme/storefront@main'],
        ['lodash', '4.17.20', 'pkg:npm/lodash@4.17.20'],
        ['org.apache.logging.log4j:log4j-core', '2.17.1', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1'],
        ['requests', '>= 2.25.0', 'pkg:pypi/requests'],
        ['actions/checkout', '4.*.*', 'pkg:githubactions/actions/checkout@4.%2A.%2A'],
      ].map(([name, versionInfo, purl], i) => ({
        name,
        SPDXID: `SPDXRef-${i}`,
        versionInfo,
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceLocator: purl, referenceType: 'purl' }],
      })),
    };
    const expected = ['com.github.acme/storefront GHSA-35jh-r3h4-6jhm lodash 4.17.20 → 4.17.21'];
    const downloaded = scan('storefront.spdx.json', exported);
    expect(lines(downloaded.out)).toEqual(expected);
    expect(downloaded.stderr.trim()).toBe(
      'patchwise: note: inventory entries left out, by reason: unsupported purl type "github" (1); ' +
        'pypi package with a version range, not an installed version (1); unsupported purl type "githubactions" (1)',
    );
    expect(lines(scan('storefront-api.json', { sbom: exported }).out)).toEqual(expected);
  });

  it('refuses an SPDX version it does not read, naming it, and goes on with the other inputs', () => {
    writeFileSync(join(dir, 'old.spdx.json'), JSON.stringify({ spdxVersion: 'SPDX-2.1', packages: [] }));
    writeFileSync(join(dir, 'ok.spdx.json'), JSON.stringify(spdx('web-04')));
    const r = runCli(['scan', '--advisories', join(dir, 'advisories'), '--format', 'json', join(dir, 'old.spdx.json'), join(dir, 'ok.spdx.json')]);
    expect(r.stderr).toContain(`patchwise: skipped ${join(dir, 'old.spdx.json')}: SPDX spdxVersion "SPDX-2.1" is not supported (supported: SPDX-2.2, SPDX-2.3)`);
    expect((JSON.parse(r.stdout) as JsonOut).hosts.map((h) => h.host)).toEqual(['web-04']);
  });
});
