import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { parseCycloneDx } from './cyclonedx.js';
import { PackageCache } from './package-cache.js';
import { isSpdx3JsonLd, parseSpdx, spdxDocumentOf } from './spdx.js';
import type { SpdxOptions } from './spdx.js';

type Obj = Record<string, unknown>;
const fixture = (name: string): Obj =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/inventory/${name}`, import.meta.url), 'utf8')) as Obj;
const opts: SpdxOptions = { fallbackHost: 'fallback' };
const doc = (packages: unknown[], extra: Obj = {}): Obj => ({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'h', packages, ...extra });
const purlRef = (purl: string, category = 'PACKAGE-MANAGER'): Obj => ({ referenceCategory: category, referenceType: 'purl', referenceLocator: purl });
const pkg = (purl: string, extra: Obj = {}): Obj => ({ name: 'x', SPDXID: 'SPDXRef-x', externalRefs: [purlRef(purl)], ...extra });

describe('parseSpdx on scanner output', () => {
  it('reads a Syft SPDX 2.3 document of a Debian 12 image: the same packages as Syft CycloneDX', () => {
    const { inventory, skipped } = parseSpdx(fixture('syft-debian12.spdx.json'), 'x.spdx.json', opts);
    expect(inventory.host).toBe('web-01');
    const byName = new Map(inventory.packages.map((p) => [p.name, p]));
    // distro=debian-12 qualifier, upstream=glibc source.
    expect(byName.get('libc6')).toEqual({
      ecosystem: 'Debian:12', name: 'libc6', version: '2.36-9+deb12u4', sourceName: 'glibc', sourceVersion: '2.36-9+deb12u4', arch: 'amd64',
    });
    expect(byName.get('bsdutils')).toMatchObject({ version: '1:2.38.1-5+deb12u1', sourceName: 'util-linux', sourceVersion: '2.38.1-5+deb12u1' });
    // Syft's sourceInfo says where it read the package, not what it was built from: not a source.
    expect(byName.get('coreutils')).toMatchObject({ sourceName: 'coreutils', sourceVersion: '9.1-1' });
    expect(byName.get('django')).toEqual({ ecosystem: 'PyPI', name: 'django', version: '4.2.7' });
    expect(byName.get('org.apache.logging.log4j:log4j-core')).toMatchObject({ ecosystem: 'Maven' });
    // The image itself (pkg:oci) and a binary known by CPE only are counted, not read.
    expect(skipped).toEqual([
      { reason: 'unsupported purl type "oci"', count: 1 },
      { reason: 'package without a purl', count: 1 },
    ]);
    const cdx = parseCycloneDx(fixture('syft-debian12.cdx.json'), 'x.cdx.json', { fallbackHost: 'fallback' });
    expect(inventory.packages).toEqual(cdx.inventory.packages);
    // Syft's SPDX has no OPERATING-SYSTEM package: the host's distribution is not known, its
    // packages' ecosystems come from their qualifiers.
    expect(inventory.distro).toBeUndefined();
  });

  it('reads a Trivy SPDX document of a Debian 12 image: OS package, sourceInfo, epoch qualifier', () => {
    const { inventory, skipped } = parseSpdx(fixture('trivy-debian12.spdx.json'), 'x', opts);
    expect(inventory.host).toBe('web-02');
    expect(inventory.distro).toEqual({ id: 'debian', versionId: '12.5', ecosystem: 'Debian:12' });
    expect(inventory.packages).toEqual([
      { ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.11-1~deb12u2', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2', arch: 'amd64' },
      { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u2', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2', arch: 'amd64' },
      // The binary's epoch (qualifier) is not the source's: sourceInfo gives the source's own version.
      { ecosystem: 'Debian:12', name: 'bsdutils', version: '1:2.38.1-5+deb12u1', sourceName: 'util-linux', sourceVersion: '2.38.1-5+deb12u1', arch: 'amd64' },
      { ecosystem: 'Debian:12', name: 'libc6', version: '2.36-9+deb12u4', sourceName: 'glibc', sourceVersion: '2.36-9+deb12u4', arch: 'amd64' },
      // A binNMU: the source version is without +b2.
      { ecosystem: 'Debian:12', name: 'bash', version: '5.2.15-2+b2', sourceName: 'bash', sourceVersion: '5.2.15-2', arch: 'amd64' },
      // No sourceInfo: the package is its own source, as dpkg says.
      { ecosystem: 'Debian:12', name: 'tzdata', version: '2024a-0+deb12u1', sourceName: 'tzdata', sourceVersion: '2024a-0+deb12u1', arch: 'all' },
    ]);
    expect(skipped).toEqual([{ reason: 'unsupported purl type "oci"', count: 1 }]);
  });

  it('reads a Trivy SPDX document of an AlmaLinux 9 image: the same packages as Trivy CycloneDX (rpm epochs, source rpms)', () => {
    const { inventory, skipped } = parseSpdx(fixture('trivy-almalinux9.spdx.json'), 'x', opts);
    const cdx = parseCycloneDx(fixture('trivy-almalinux9.cdx.json'), 'x', { fallbackHost: 'fallback' });
    expect(inventory.host).toBe('db-02');
    expect(inventory.distro).toEqual(cdx.inventory.distro);
    expect(inventory.packages).toEqual(cdx.inventory.packages);
    expect(inventory.packages.find((p) => p.name === 'openssl-libs')).toEqual({
      ecosystem: 'AlmaLinux:9', name: 'openssl-libs', version: '1:3.0.7-27.el9', sourceName: 'openssl', sourceVersion: '1:3.0.7-27.el9', arch: 'x86_64',
    });
    // Trivy's "Python" application package groups the site-packages; it has no purl.
    expect(skipped).toEqual([
      { reason: 'unsupported purl type "oci"', count: 1 },
      { reason: 'package without a purl', count: 1 },
    ]);
  });

  it("reads GitHub's dependency-graph export: npm, PyPI and Maven read; actions, the repository, ranges and purl-less entries counted", () => {
    const { inventory, skipped } = parseSpdx(fixture('github-storefront.spdx.json'), 'sbom.json', opts);
    expect(inventory.host).toBe('com.github.acme/storefront');
    expect(inventory.distro).toBeUndefined();
    expect(inventory.packages).toEqual([
      { ecosystem: 'npm', name: 'lodash', version: '4.17.20', sourceName: undefined, sourceVersion: undefined, arch: undefined },
      { ecosystem: 'npm', name: '@babel/traverse', version: '7.23.0', sourceName: undefined, sourceVersion: undefined, arch: undefined },
      { ecosystem: 'PyPI', name: 'django', version: '4.2.7', sourceName: undefined, sourceVersion: undefined, arch: undefined },
      { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1', sourceName: undefined, sourceVersion: undefined, arch: undefined },
    ]);
    expect(skipped).toEqual([
      { reason: 'unsupported purl type "github"', count: 1 },
      // `>= 2.25.0` from a requirements file without a lock: nothing installed to assess.
      { reason: 'pypi package with a version range, not an installed version', count: 1 },
      { reason: 'unsupported purl type "githubactions"', count: 2 },
      { reason: 'package without a purl', count: 1 },
    ]);
  });

  it("unwraps GitHub's REST answer ({ sbom: document })", () => {
    const file = fixture('github-storefront.spdx.json');
    expect(spdxDocumentOf({ sbom: file })).toBe(file);
    expect(spdxDocumentOf(file)).toBe(file);
    expect(spdxDocumentOf({ sbom: file, other: 1 })).toBeUndefined();
    expect(spdxDocumentOf({ sbom: { packages: [] } })).toBeUndefined();
    expect(spdxDocumentOf({ bomFormat: 'CycloneDX' })).toBeUndefined();
  });
});

describe('parseSpdx: versions, categories, distributions', () => {
  it('reads SPDX 2.2 with either spelling of the package-manager category', () => {
    for (const [version, category] of [
      ['SPDX-2.2', 'PACKAGE_MANAGER'],
      ['SPDX-2.2', 'PACKAGE-MANAGER'],
      ['SPDX-2.3', 'PACKAGE-MANAGER'],
      ['SPDX-2.3', 'PACKAGE_MANAGER'],
    ] as const) {
      const d = doc([{ name: 'left-pad', SPDXID: 'SPDXRef-1', externalRefs: [purlRef('pkg:npm/left-pad@1.3.0', category)] }], { spdxVersion: version });
      expect(parseSpdx(d, 'x', opts).inventory.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`)).toEqual(['npm left-pad 1.3.0']);
    }
  });

  it('reads the purl only from a package-manager purl reference (not a CPE, not another category)', () => {
    const d = doc([
      {
        name: 'a',
        externalRefs: [
          { referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:a:a:1:*:*:*:*:*:*:*' },
          { referenceCategory: 'OTHER', referenceType: 'purl', referenceLocator: 'pkg:npm/wrong@9.9.9' },
          purlRef('pkg:npm/right@1.0.0'),
          purlRef('pkg:npm/second@2.0.0'),
        ],
      },
      { name: 'b', externalRefs: [{ referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:b:b:1:*:*:*:*:*:*:*' }] },
      { name: 'c', externalRefs: [purlRef('')] },
    ]);
    const { inventory, skipped } = parseSpdx(d, 'x', opts);
    expect(inventory.packages.map((p) => p.name)).toEqual(['right']);
    expect(skipped).toEqual([{ reason: 'package without a purl', count: 2 }]);
  });

  it('takes versionInfo when the purl has no version, unless it is a range or a placeholder', () => {
    const d = doc([
      pkg('pkg:pypi/Flask', { versionInfo: '2.3.2' }),
      pkg('pkg:npm/lodash@4.17.21', { versionInfo: '^4.17.0' }),
      pkg('pkg:npm/express', { versionInfo: '^4.18.0' }),
      pkg('pkg:gem/rails', { versionInfo: '~> 7.0' }),
      pkg('pkg:npm/react', { versionInfo: '18.x || 17.*' }),
      pkg('pkg:cargo/serde', { versionInfo: 'NOASSERTION' }),
      pkg('pkg:cargo/rand'),
    ]);
    const { inventory, skipped } = parseSpdx(d, 'x', opts);
    expect(inventory.packages.map((p) => `${p.name} ${p.version}`)).toEqual(['flask 2.3.2', 'lodash 4.17.21']);
    expect(skipped).toEqual([
      { reason: 'npm package with a version range, not an installed version', count: 2 },
      { reason: 'gem package with a version range, not an installed version', count: 1 },
      { reason: 'cargo package without a version', count: 2 },
    ]);
  });

  it('reads an rpm epoch from the qualifier and the source from Syft\'s upstream source rpm', () => {
    const d = doc([pkg('pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm&distro=rhel-9.2')]);
    expect(parseSpdx(d, 'x', opts).inventory.packages).toEqual([
      { ecosystem: 'Red Hat:enterprise_linux:9', name: 'openssl-libs', version: '1:3.0.7-27.el9', sourceName: 'openssl', sourceVersion: '1:3.0.7-27.el9', arch: 'x86_64' },
    ]);
  });

  it("prefers the purl's upstream qualifier to sourceInfo; without either an rpm's source is unknown", () => {
    const d = doc([
      pkg('pkg:deb/debian/libssl3@3.0.11-1~deb12u2?upstream=openssl&distro=debian-12', { sourceInfo: 'built package from: other 1.0' }),
      pkg('pkg:rpm/alma/bash@5.1.8-9.el9?distro=alma-9.4'),
      pkg('pkg:rpm/alma/bash-libs@5.1.8-9.el9?distro=alma-9.4', { sourceInfo: 'built package from: bash' }),
    ]);
    expect(parseSpdx(d, 'x', opts).inventory.packages.map((p) => [p.name, p.sourceName, p.sourceVersion])).toEqual([
      ['libssl3', 'openssl', '3.0.11-1~deb12u2'],
      ['bash', undefined, undefined],
      // A source without a version has the binary's.
      ['bash-libs', 'bash', '5.1.8-9.el9'],
    ]);
  });

  it('gives distro packages without a qualifier the OPERATING-SYSTEM package\'s release, and the caller\'s over it', () => {
    const packages = [
      { name: 'ubuntu', SPDXID: 'SPDXRef-OperatingSystem-1', versionInfo: '22.04', primaryPackagePurpose: 'OPERATING-SYSTEM' },
      pkg('pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.15?arch=amd64', { sourceInfo: 'built package from: openssl 3.0.2-0ubuntu1.15' }),
    ];
    const own = parseSpdx(doc(packages), 'x', opts).inventory;
    expect(own.distro?.ecosystem).toBe('Ubuntu:22.04:LTS');
    expect(own.packages).toEqual([
      { ecosystem: 'Ubuntu:22.04:LTS', name: 'libssl3', version: '3.0.2-0ubuntu1.15', sourceName: 'openssl', sourceVersion: '3.0.2-0ubuntu1.15', arch: 'amd64' },
    ]);
    expect(parseSpdx(doc(packages), 'x', { ...opts, ecosystem: 'Ubuntu:24.04:LTS' }).inventory.packages[0]?.ecosystem).toBe('Ubuntu:24.04:LTS');
    const none = parseSpdx(doc(packages.slice(1)), 'x', opts);
    expect(none.inventory.packages).toEqual([]);
    expect(none.skipped).toEqual([{ reason: 'distribution package without a release (no purl distro qualifier, no OPERATING-SYSTEM package)', count: 1 }]);
    const centos = parseSpdx(doc([{ name: 'centos', versionInfo: '7', primaryPackagePurpose: 'OPERATING-SYSTEM' }, ...packages.slice(1)]), 'x', opts);
    expect(centos.skipped).toEqual([{ reason: 'operating system "centos 7" has no OSV ecosystem', count: 1 }]);
  });

  it('names the host by the document, else the fallback (Syft names directory scans "/")', () => {
    expect(parseSpdx(doc([], { name: ' api-7 ' }), 'x', opts).inventory.host).toBe('api-7');
    expect(parseSpdx(doc([], { name: '/' }), 'x', opts).inventory.host).toBe('fallback');
    expect(parseSpdx({ spdxVersion: 'SPDX-2.3' }, 'x', opts).inventory).toMatchObject({ host: 'fallback', packages: [] });
  });

  it('shares packages through a PackageCache, by purl and source, and by position across documents of one shape', () => {
    const cache = new PackageCache();
    const a = parseSpdx(fixture('trivy-debian12.spdx.json'), 'a', { ...opts, packageCache: cache }).inventory.packages;
    const b = parseSpdx(fixture('trivy-debian12.spdx.json'), 'b', { ...opts, packageCache: cache }).inventory.packages;
    expect(b).toEqual(a);
    b.forEach((p, i) => expect(p).toBe(a[i]));
    // The same purl with another source package is another package.
    const other = doc([pkg('pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5', { sourceInfo: 'built package from: openssl-fork 1' })]);
    expect(parseSpdx(other, 'c', { ...opts, packageCache: cache }).inventory.packages[0]).toMatchObject({ sourceName: 'openssl-fork', sourceVersion: '1' });
  });
});

describe('parseSpdx refuses what it cannot read', () => {
  it.each([
    ['SPDX-2.1', /SPDX spdxVersion "SPDX-2.1" is not supported \(supported: SPDX-2.2, SPDX-2.3\)$/],
    ['SPDX-3.0', /"SPDX-3.0" is not supported .*SPDX 3 is JSON-LD/],
    [2.3, /SPDX spdxVersion 2.3 is not supported/],
  ])('spdxVersion %s', (version, message) => {
    const e = caught(() => parseSpdx({ spdxVersion: version, packages: [] }, 'in.json', opts));
    expect(e).toMatchObject({ code: 'PW_INPUT_INVALID', message });
    expect(e.message).toContain('in.json');
  });

  it.each([
    [{ packages: {} }, 'packages: must be an array'],
    [{ name: 7 }, 'name: must be a string'],
    [{ packages: [pkg('pkg:npm/a@1'), 'text'] }, 'packages[1]: must be an object'],
    [{ packages: [pkg('pkg:npm/a@1', { versionInfo: 1.2 })] }, 'packages[0].versionInfo: must be a string'],
    [{ packages: [pkg('pkg:npm/a@1', { sourceInfo: ['x'] })] }, 'packages[0].sourceInfo: must be a string'],
    [{ packages: [{ name: 'a', externalRefs: {} }] }, 'packages[0].externalRefs: must be an array'],
    [{ packages: [{ name: 'a', externalRefs: [null] }] }, 'packages[0].externalRefs[0]: must be an object'],
    [
      { packages: [pkg('pkg:npm/a@1'), pkg('pkg:npm/b@1'), pkg('pkg:npm/c@1'), { name: 'd', externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 42 }] }] },
      'packages[3].externalRefs[0].referenceLocator: must be a string',
    ],
    [{ packages: [{ name: 'a', externalRefs: [{ referenceType: 'purl', referenceLocator: 'pkg:npm/a@1' }] }] }, 'packages[0].externalRefs[0].referenceCategory: must be a string'],
  ])('wrong types name the field: %j', (fields, message) => {
    const e = caught(() => parseSpdx(doc([], fields), 'in.json', opts));
    expect(e).toMatchObject({ code: 'PW_INPUT_INVALID', message: `in.json: ${message}` });
  });

  it('counts malformed purls and unsupported types instead of failing', () => {
    const { inventory, skipped } = parseSpdx(doc([pkg('npm/no-scheme@1'), pkg('pkg:conan/zlib@1.3'), pkg('pkg:npm/ok@1.0.0')]), 'x', opts);
    expect(inventory.packages.map((p) => p.name)).toEqual(['ok']);
    expect(skipped).toEqual([
      { reason: 'malformed purl', count: 1 },
      { reason: 'unsupported purl type "conan"', count: 1 },
    ]);
  });
});

describe('isSpdx3JsonLd', () => {
  it('recognises the SPDX 3 context, and nothing else', () => {
    expect(isSpdx3JsonLd({ '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld', '@graph': [] })).toBe(true);
    expect(isSpdx3JsonLd({ '@context': ['https://spdx.org/rdf/3.0.0/spdx-context.jsonld'] })).toBe(true);
    expect(isSpdx3JsonLd({ '@context': 'https://schema.org' })).toBe(false);
    expect(isSpdx3JsonLd({ spdxVersion: 'SPDX-2.3' })).toBe(false);
  });
});
