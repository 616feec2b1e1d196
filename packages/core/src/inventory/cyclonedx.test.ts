import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { MAX_COMPONENT_DEPTH, isCycloneDx, parseCycloneDx } from './cyclonedx.js';
import type { CycloneDxOptions } from './cyclonedx.js';

type Obj = Record<string, unknown>;
const fixture = (name: string): Obj =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/inventory/${name}`, import.meta.url), 'utf8')) as Obj;
const opts: CycloneDxOptions = { fallbackHost: 'fallback' };
const bom = (components: unknown[], extra: Obj = {}): Obj => ({ bomFormat: 'CycloneDX', specVersion: '1.5', components, ...extra });
const lib = (purl: string, extra: Obj = {}): Obj => ({ type: 'library', name: 'x', purl, ...extra });

describe('parseCycloneDx on scanner output', () => {
  it('reads a Syft 1.5 SBOM of a Debian 12 host', () => {
    const { inventory, skipped } = parseCycloneDx(fixture('syft-debian12.cdx.json'), 'web-01.cdx.json', opts);
    expect(inventory.host).toBe('web-01');
    expect(inventory.distro).toEqual({ id: 'debian', versionId: '12', ecosystem: 'Debian:12' });
    const byName = new Map(inventory.packages.map((p) => [p.name, p]));
    expect(byName.get('libc6')).toEqual({
      ecosystem: 'Debian:12', name: 'libc6', version: '2.36-9+deb12u4', sourceName: 'glibc', sourceVersion: '2.36-9+deb12u4', arch: 'amd64',
    });
    // Source with its own version (upstream=name@version), epoch inside the purl version.
    expect(byName.get('bsdutils')).toMatchObject({ version: '1:2.38.1-5+deb12u1', sourceName: 'util-linux', sourceVersion: '2.38.1-5+deb12u1' });
    expect(byName.get('bash')).toMatchObject({ version: '5.2.15-2+b2', sourceName: 'bash', sourceVersion: '5.2.15-2' });
    // No upstream: the package is its own source.
    expect(byName.get('coreutils')).toMatchObject({ sourceName: 'coreutils', sourceVersion: '9.1-1' });
    expect(byName.get('libstdc++6')).toMatchObject({ sourceName: 'gcc-12' });
    expect(byName.get('django')).toEqual({ ecosystem: 'PyPI', name: 'django', version: '4.2.7' });
    expect(byName.get('zope-interface')?.ecosystem).toBe('PyPI');
    expect(byName.get('@babel/core')).toMatchObject({ ecosystem: 'npm', version: '7.24.0' });
    // A Java library, named as OSV's Maven ecosystem names it (groupId:artifactId).
    expect(byName.get('org.apache.logging.log4j:log4j-core')).toEqual({ ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' });
    expect(inventory.packages).toHaveLength(11);
    expect(skipped).toEqual([{ reason: 'component without a purl', count: 1 }]);
  });

  it('reads a Trivy 1.6 SBOM of an AlmaLinux 9 host (alma namespace, epoch qualifier, Src* properties)', () => {
    const { inventory, skipped } = parseCycloneDx(fixture('trivy-almalinux9.cdx.json'), 'x', opts);
    expect(inventory.host).toBe('db-02');
    expect(inventory.distro?.ecosystem).toBe('AlmaLinux:9');
    const byName = new Map(inventory.packages.map((p) => [p.name, p]));
    expect(byName.get('openssl-libs')).toEqual({
      ecosystem: 'AlmaLinux:9', name: 'openssl-libs', version: '1:3.0.7-27.el9', sourceName: 'openssl', sourceVersion: '1:3.0.7-27.el9', arch: 'x86_64',
    });
    expect(byName.get('glibc')).toMatchObject({ version: '2.34-100.el9_4.2', sourceVersion: '2.34-100.el9_4.2' });
    expect(byName.get('python3-libs')).toMatchObject({ sourceName: 'python3.9' });
    expect(byName.get('requests')).toMatchObject({ ecosystem: 'PyPI' });
    expect(skipped).toEqual([]);
  });

  it('reads Trivy alpine purls whose distro qualifier is a bare version', () => {
    const { inventory } = parseCycloneDx(fixture('trivy-alpine318.cdx.json'), 'x', opts);
    expect(inventory.packages.map((p) => [p.name, p.ecosystem, p.sourceName])).toEqual([
      ['musl', 'Alpine:v3.18', 'musl'],
      ['libcrypto3', 'Alpine:v3.18', 'openssl'],
      ['libssl3', 'Alpine:v3.18', 'openssl'],
      ['busybox', 'Alpine:v3.18', 'busybox'],
    ]);
  });

  it('reads a Syft 1.4 SBOM with nested components', () => {
    const { inventory } = parseCycloneDx(fixture('syft-ubuntu2204-1.4.cdx.json'), 'x', opts);
    expect(inventory.distro?.ecosystem).toBe('Ubuntu:22.04:LTS');
    expect(inventory.packages.map((p) => `${p.ecosystem} ${p.name}`)).toEqual([
      'Ubuntu:22.04:LTS libpam0g',
      'Ubuntu:22.04:LTS openssl',
      'npm lodash',
      'npm @types/node',
      'PyPI pyyaml',
    ]);
    expect(inventory.packages[0]).toMatchObject({ sourceName: 'pam', sourceVersion: '1.4.0-11ubuntu2.3' });
  });
});

describe('parseCycloneDx edge cases', () => {
  it('names Maven, Go and Cargo packages as OSV does, and drops a Maven purl without a group', () => {
    const { inventory, skipped } = parseCycloneDx(
      bom([
        lib('pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10.1'),
        lib('pkg:maven/lonely@1.0'),
        lib('pkg:golang/github.com/gin-gonic/gin@v1.7.0'),
        lib('pkg:golang/golang.org/x/net@v0.0.0-20210405180319-a5a99cb37ef4'),
        lib('pkg:cargo/tokio@1.18.0'),
        // The standard library as Syft (both spellings), cyclonedx-gomod and Trivy write it, and a main module.
        lib('pkg:golang/stdlib@1.21.6'),
        lib('pkg:golang/stdlib@go1.22'),
        lib('pkg:golang/std@go1.21rc2'),
        lib('pkg:golang/stdlib@v1.20.14'),
        lib('pkg:golang/example.com/app@(devel)'),
      ]),
      'x',
      opts,
    );
    expect(inventory.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`)).toEqual([
      'Maven com.fasterxml.jackson.core:jackson-databind 2.9.10.1',
      'Go github.com/gin-gonic/gin v1.7.0',
      'Go golang.org/x/net v0.0.0-20210405180319-a5a99cb37ef4',
      'crates.io tokio 1.18.0',
      'Go stdlib 1.21.6',
      'Go stdlib 1.22.0',
      'Go stdlib 1.21.0-rc.2',
      'Go stdlib 1.20.14',
    ]);
    expect(skipped).toEqual([
      { reason: 'maven component without a group id', count: 1 },
      { reason: 'Go main module without a version ((devel))', count: 1 },
    ]);
  });

  it('names RubyGems and Composer packages as OSV does, and drops a Composer purl without a vendor', () => {
    const { inventory, skipped } = parseCycloneDx(
      bom([
        lib('pkg:gem/rails@7.0.4.2'),
        lib('pkg:gem/nokogiri@1.13.10?platform=x86_64-linux'),
        lib('pkg:gem/RedCloth@4.3.2'),
        lib('pkg:composer/symfony/http-kernel@v5.4.19'),
        lib('pkg:composer/Monolog/Monolog@2.9.1'),
        lib('pkg:composer/lonely@1.0'),
      ]),
      'x',
      opts,
    );
    expect(inventory.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`)).toEqual([
      'RubyGems rails 7.0.4.2',
      'RubyGems nokogiri 1.13.10',
      'RubyGems RedCloth 4.3.2',
      'Packagist symfony/http-kernel v5.4.19',
      'Packagist monolog/monolog 2.9.1',
    ]);
    expect(skipped).toEqual([{ reason: 'composer component without a vendor', count: 1 }]);
  });

  it('reads pkg:nuget purls as NuGet packages, ids lower-cased as NuGet compares them, versions as written', () => {
    const { inventory, skipped } = parseCycloneDx(
      bom([
        lib('pkg:nuget/Newtonsoft.Json@13.0.1'),
        lib('pkg:nuget/System.Text.Encodings.Web@4.5.0.1'),
        lib('pkg:nuget/microsoft.data.sqlclient@5.2.0-preview4.23342.2'),
        lib('pkg:nuget/Serilog@3.1.1%2Bbuild.5'),
        lib('pkg:nuget/Contoso/Widgets@1.0.0'),
      ]),
      'x',
      opts,
    );
    expect(inventory.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`)).toEqual([
      'NuGet newtonsoft.json 13.0.1',
      'NuGet system.text.encodings.web 4.5.0.1',
      'NuGet microsoft.data.sqlclient 5.2.0-preview4.23342.2',
      'NuGet serilog 3.1.1+build.5',
    ]);
    expect(skipped).toEqual([{ reason: 'nuget component with a namespace (NuGet purls have none)', count: 1 }]);
  });

  it('reads hex and pub purls as OSV Hex and Pub packages, lower-case, leaving out private hex organisations', () => {
    const { inventory, skipped } = parseCycloneDx(
      bom([
        lib('pkg:hex/plug@1.14.0'),
        lib('pkg:hex/phoenix_html@3.3.1#priv/static/phoenix_html.js'),
        lib('pkg:hex/Jason@1.4.0-rc.1'),
        lib('pkg:hex/acme/plug@1.0.0'),
        lib('pkg:pub/http@0.13.5'),
        lib('pkg:pub/flutter_secure_storage@9.0.0%2B1'),
        lib('pkg:pub/Characters@1.3.0-nullsafety.0'),
        lib('pkg:pub/x/http@1.0.0'),
      ]),
      'x',
      opts,
    );
    expect(inventory.packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`)).toEqual([
      'Hex plug 1.14.0',
      'Hex phoenix_html 3.3.1',
      'Hex jason 1.4.0-rc.1',
      'Pub http 0.13.5',
      'Pub flutter_secure_storage 9.0.0+1',
      'Pub characters 1.3.0-nullsafety.0',
    ]);
    expect(skipped).toEqual([
      { reason: 'hex component of a private organisation', count: 1 },
      { reason: 'pub component with a namespace (pub has none)', count: 1 },
    ]);
  });

  it('puts the rpm epoch qualifier into the version, dropping epoch 0', () => {
    const { inventory } = parseCycloneDx(
      bom([
        lib('pkg:rpm/almalinux/nginx@1.20.1-14.el9?epoch=1&distro=almalinux-9.4&upstream=nginx-1.20.1-14.el9.src.rpm'),
        lib('pkg:rpm/almalinux/bzip2-libs@1.0.6-2.el8_4?epoch=0&distro=almalinux-8.10'),
        lib('pkg:rpm/rhel/openssl-libs@1:1.1.1k-9.el8?distro=rhel-8.6&upstream=openssl-1.1.1k-9.el8.src.rpm'),
        lib('pkg:rpm/rocky/zlib@0:1.2.11-40.el9?distro=rocky-9.3'),
      ]),
      'x',
      opts,
    );
    expect(inventory.packages.map((p) => [p.ecosystem, p.version, p.sourceName, p.sourceVersion])).toEqual([
      ['AlmaLinux:9', '1:1.20.1-14.el9', 'nginx', '1:1.20.1-14.el9'],
      ['AlmaLinux:8', '1.0.6-2.el8_4', undefined, undefined],
      ['Red Hat:enterprise_linux:8', '1:1.1.1k-9.el8', 'openssl', '1:1.1.1k-9.el8'],
      ['Rocky Linux:9', '1.2.11-40.el9', undefined, undefined],
    ]);
  });

  it('takes the ecosystem from the OS component when purls have no distro qualifier', () => {
    const { inventory, skipped } = parseCycloneDx(
      bom([{ type: 'operating-system', name: 'rocky', version: '9.3' }, lib('pkg:rpm/rocky/bash@5.1.8-6.el9_1')]),
      'x',
      opts,
    );
    expect(inventory.packages[0]?.ecosystem).toBe('Rocky Linux:9');
    expect(skipped).toEqual([]);
  });

  it('skips distribution packages whose release is nowhere, rather than guessing from the namespace', () => {
    const { inventory, skipped } = parseCycloneDx(
      bom([lib('pkg:deb/debian/curl@7.88.1-10'), lib('pkg:deb/debian/bash@5.2'), lib('pkg:pypi/six@1.16.0')]),
      'x',
      opts,
    );
    expect(inventory.packages.map((p) => p.name)).toEqual(['six']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.count).toBe(2);
    expect(skipped[0]?.reason).toMatch(/no purl distro qualifier, no operating-system component/);
  });

  it('uses the caller’s ecosystem when the SBOM names no release', () => {
    const { inventory } = parseCycloneDx(bom([lib('pkg:deb/debian/curl@7.88.1-10')]), 'x', { ...opts, ecosystem: 'Debian:12' });
    expect(inventory.packages[0]?.ecosystem).toBe('Debian:12');
  });

  it('skips packages of distributions OSV does not cover, naming them', () => {
    const { inventory, skipped } = parseCycloneDx(
      bom([
        { type: 'operating-system', name: 'centos', version: '7' },
        lib('pkg:rpm/centos/bash@4.2.46-35.el7_9'),
        lib('pkg:rpm/centos/zlib@1.2.7?distro=centos-7'),
      ]),
      'x',
      opts,
    );
    expect(inventory.packages).toEqual([]);
    expect(inventory.distro).toBeUndefined();
    expect(skipped.map((s) => s.reason)).toEqual(['operating system "centos 7" has no OSV ecosystem', 'distro "centos-7" has no OSV ecosystem']);
  });

  it('counts malformed purls, components without versions and non-objects', () => {
    const { inventory, skipped } = parseCycloneDx(
      bom([lib('pkg:npm/bad%ZZname@1'), lib('not-a-purl'), lib('pkg:pypi/requests'), 42, null, lib('')]),
      'x',
      opts,
    );
    expect(inventory.packages).toEqual([]);
    expect(skipped).toEqual([
      { reason: 'malformed purl', count: 2 },
      { reason: 'pypi component without a version', count: 1 },
      { reason: 'component is not an object', count: 2 },
      { reason: 'component without a purl', count: 1 },
    ]);
  });

  it('falls back to the component version when the purl has none', () => {
    const { inventory } = parseCycloneDx(bom([lib('pkg:pypi/Requests', { version: '2.31.0' })]), 'x', opts);
    expect(inventory.packages[0]).toMatchObject({ name: 'requests', version: '2.31.0' });
  });

  it('names the host from metadata.component, else the fallback', () => {
    expect(parseCycloneDx(bom([], { metadata: { component: { name: ' app-7 ' } } }), 'x', opts).inventory.host).toBe('app-7');
    // Syft names a directory scan "/": useless as a host name.
    expect(parseCycloneDx(bom([], { metadata: { component: { name: '/' } } }), 'x', opts).inventory.host).toBe('fallback');
    expect(parseCycloneDx(bom([]), 'x', opts).inventory.host).toBe('fallback');
  });

  it('accepts an SBOM without components', () => {
    const r = parseCycloneDx({ bomFormat: 'CycloneDX', specVersion: '1.6' }, 'x', opts);
    expect(r.inventory.packages).toEqual([]);
  });

  it('refuses unsupported spec versions and non-array components', () => {
    for (const [doc, code, text] of [
      [{ bomFormat: 'CycloneDX', specVersion: '1.2' }, 'PW_INPUT_INVALID', 'specVersion "1.2"'],
      [{ bomFormat: 'CycloneDX', specVersion: 1.5 }, 'PW_INPUT_INVALID', 'specVersion 1.5'],
      [bom({} as unknown as unknown[]), 'PW_INPUT_INVALID', 'components: must be an array'],
      [bom([{ type: 'library', components: 'x' }]), 'PW_INPUT_INVALID', 'components[0].components: must be an array'],
    ] as const) {
      const err = caught(() => parseCycloneDx(doc, 'f.json', opts));
      expect(err.code).toBe(code);
      expect(err.message).toContain(text);
      expect(err.message).toContain('f.json');
    }
  });

  it('refuses components nested deeper than the limit', () => {
    let node: Obj = lib('pkg:npm/leaf@1.0.0');
    for (let i = 0; i < MAX_COMPONENT_DEPTH; i++) node = { type: 'library', name: `n${i}`, components: [node] };
    expect(() => parseCycloneDx(bom([node]), 'deep.json', opts)).toThrow(/nested deeper than 64/);
    expect(caught(() => parseCycloneDx(bom([node]), 'deep.json', opts)).code).toBe('PW_INPUT_TOO_DEEP');
    // One level less is fine, and the leaf is found.
    const shallower = (node.components as Obj[])[0] as Obj;
    expect(parseCycloneDx(bom([shallower]), 'x', opts).inventory.packages).toHaveLength(1);
    expect(() => parseCycloneDx(bom([shallower]), 'x', { ...opts, maxDepth: 10 })).toThrow(/deeper than 10/);
  });

  it('recognises CycloneDX documents', () => {
    expect(isCycloneDx({ bomFormat: 'CycloneDX' })).toBe(true);
    expect(isCycloneDx({ spdxVersion: 'SPDX-2.3' })).toBe(false);
    expect(isCycloneDx(null)).toBe(false);
  });
});
