import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import type { Caught } from '../../test/support/caught.js';
import { baseName, parseInventory, parseInventoryObject } from './parse-inventory.js';
import type { InventoryParseOptions } from './parse-inventory.js';

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/inventory/${name}`, import.meta.url), 'utf8');

const failure = (text: string, source = 'in/host-9.txt', options: InventoryParseOptions = {}): Caught =>
  caught(() => parseInventory(text, source, options));

describe('parseInventory detects the format from content', () => {
  it.each([
    ['syft-debian12.cdx.json', 'cyclonedx-json', 'web-01', 'Debian:12'],
    ['syft-ubuntu2204-1.4.cdx.json', 'cyclonedx-json', 'ci-runner-7', 'Ubuntu:22.04:LTS'],
    ['trivy-almalinux9.cdx.json', 'cyclonedx-json', 'db-02', 'AlmaLinux:9'],
    ['trivy-alpine318.cdx.json', 'cyclonedx-json', 'edge-proxy-3', 'Alpine:v3.18'],
    ['patchwise-pay-api-1.json', 'patchwise-json', 'pay-api-1', 'Debian:12'],
    ['syft-debian12.spdx.json', 'spdx-json', 'web-01', 'Debian:12'],
    ['trivy-debian12.spdx.json', 'spdx-json', 'web-02', 'Debian:12'],
    ['trivy-almalinux9.spdx.json', 'spdx-json', 'db-02', 'AlmaLinux:9'],
    ['github-storefront.spdx.json', 'spdx-json', 'com.github.acme/storefront', 'npm'],
  ])('%s', (file, format, host, ecosystem) => {
    const r = parseInventory(fixture(file), `uploads/${file}`);
    expect(r.format).toBe(format);
    expect(r.inventories).toHaveLength(1);
    expect(r.inventories[0]?.host).toBe(host);
    expect(r.inventories[0]?.source).toBe(`uploads/${file}`);
    expect(r.inventories[0]?.packages[0]?.ecosystem).toBe(ecosystem);
  });

  it('reads a dpkg status file with the ecosystem given', () => {
    const r = parseInventory(fixture('dpkg-status-debian12'), 'hosts/web-07.status', { ecosystem: 'Debian:12' });
    expect(r.format).toBe('dpkg-status');
    const inv = r.inventories[0];
    expect(inv?.host).toBe('web-07');
    expect(inv?.distro).toBeUndefined();
    expect(inv?.packages).toHaveLength(37);
    expect(inv?.packages.find((p) => p.name === 'libssl3')).toEqual({
      ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.19-1~deb12u2', sourceName: 'openssl', sourceVersion: '3.0.19-1~deb12u2', arch: 'amd64',
    });
  });

  it('reads a dpkg status file with the host’s os-release', () => {
    const r = parseInventory(fixture('dpkg-status-debian12'), 'status', { osRelease: fixture('os-release-debian12'), host: 'web-08' });
    expect(r.inventories[0]?.host).toBe('web-08');
    expect(r.inventories[0]?.distro).toEqual({ id: 'debian', versionId: '12', ecosystem: 'Debian:12' });
    expect(r.inventories[0]?.packages.every((p) => p.ecosystem === 'Debian:12')).toBe(true);
  });

  it('reads rpm -qa output and an apk database', () => {
    const rpm = parseInventory(fixture('rpm-qa-almalinux9.tsv'), 'db-03.rpmqa', { osRelease: fixture('os-release-almalinux9') });
    expect(rpm.format).toBe('rpm-qa');
    expect(rpm.inventories[0]?.host).toBe('db-03');
    expect(rpm.inventories[0]?.packages[0]?.ecosystem).toBe('AlmaLinux:9');
    expect(rpm.skipped).toEqual([{ reason: 'rpm gpg-pubkey (signing key, not software)', count: 2 }]);

    const apk = parseInventory(fixture('apk-installed-alpine318'), 'proxy/installed', { osRelease: fixture('os-release-alpine318') });
    expect(apk.format).toBe('apk-installed');
    expect(apk.inventories[0]?.packages).toHaveLength(15);
    expect(apk.inventories[0]?.packages[0]?.ecosystem).toBe('Alpine:v3.18');
  });

  it('lets the given ecosystem outrank os-release, even one OSV does not know', () => {
    const r = parseInventory('P:musl\nV:1.2.4-r2\n', 'x', { ecosystem: 'Wolfi', osRelease: 'ID=mystery\n' });
    expect(r.inventories[0]?.packages[0]?.ecosystem).toBe('Wolfi');
    expect(failure('P:musl\nV:1.2.4-r2\n', 'x', { osRelease: 'ID=mystery\n' })).toMatchObject({ code: 'PW_ECOSYSTEM_UNKNOWN' });
  });

  it("reads the given ecosystem in OSV's spelling whatever its case", () => {
    expect(parseInventory(fixture('dpkg-status-debian12'), 's', { ecosystem: 'debian:12' }).inventories[0]?.packages[0]?.ecosystem).toBe('Debian:12');
    expect(parseInventory(fixture('rpm-qa-almalinux9.tsv'), 's', { ecosystem: 'ALMALINUX:9' }).inventories[0]?.packages[0]?.ecosystem).toBe('AlmaLinux:9');
  });

  it('asks for the distribution when a package database does not name it', () => {
    for (const file of ['dpkg-status-debian12', 'rpm-qa-almalinux9.tsv', 'apk-installed-alpine318']) {
      const e = failure(fixture(file), file);
      expect(e.code).toBe('PW_INPUT_INVALID');
      expect(e.message).toMatch(/give its OSV ecosystem \(e\.g\. "Debian:12"/);
    }
  });

  it('accepts a byte-order mark and CRLF line endings', () => {
    const crlf = fixture('dpkg-status-debian12').replace(/\n/g, '\r\n');
    expect(parseInventory(`\ufeff${crlf}`, 's', { ecosystem: 'Debian:12' }).inventories[0]?.packages).toHaveLength(37);
    const json = fixture('trivy-alpine318.cdx.json').replace(/\n/g, '\r\n');
    expect(parseInventory(`\ufeff${json}`, 's').inventories[0]?.packages).toHaveLength(4);
    const rpm = fixture('rpm-qa-almalinux9.tsv').replace(/\n/g, '\r\n');
    expect(parseInventory(`\ufeff${rpm}`, 's', { ecosystem: 'AlmaLinux:9' }).inventories[0]?.packages).toHaveLength(21);
  });

  it('passes maxDepth to the CycloneDX reader', () => {
    const nested = { bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', name: 'a', components: [{ type: 'library', name: 'b', components: [] }] }] };
    expect(failure(JSON.stringify(nested), 'x', { maxDepth: 1 }).code).toBe('PW_INPUT_TOO_DEEP');
  });
});

describe('parseInventory refuses what it cannot read', () => {
  it('empty input', () => {
    expect(failure('')).toMatchObject({ code: 'PW_INPUT_FORMAT_UNKNOWN', message: 'in/host-9.txt: not a recognised inventory: the input is empty' });
    expect(failure(' \r\n\t\n').code).toBe('PW_INPUT_FORMAT_UNKNOWN');
    expect(failure('\ufeff').code).toBe('PW_INPUT_FORMAT_UNKNOWN');
  });

  it('binary garbage', () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256)).toString('utf8');
    expect(failure(bytes)).toMatchObject({ code: 'PW_INPUT_FORMAT_UNKNOWN' });
    expect(failure('PK\u0003\u0004\u0000\u0000')).toMatchObject({ message: expect.stringContaining('binary') as unknown });
  });

  it('text of no known format', () => {
    const e = failure('hello world\nthis is not an inventory\n');
    expect(e.code).toBe('PW_INPUT_FORMAT_UNKNOWN');
    expect(e.message).toContain('in/host-9.txt');
    expect(failure('<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>').message).toContain('export the SBOM as JSON');
  });

  it('malformed JSON, with line and column', () => {
    const e = failure('{\n  "bomFormat": "CycloneDX",\n  "specVersion": }\n', 'sbom.json');
    expect(e.code).toBe('PW_INPUT_MALFORMED');
    expect(e.message).toMatch(/^sbom\.json: not valid JSON at line 3 column 18 \(/);
    expect(e.message).not.toContain('\n');
    expect(failure('{"a":1', 'x.json').message).toContain('at line 1 column 7');
  });

  it('JSON of another kind', () => {
    expect(failure('{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[]}')).toMatchObject({
      code: 'PW_INPUT_FORMAT_UNKNOWN',
      message: expect.stringContaining('SPDX 3 JSON-LD is not read') as unknown,
    });
    expect(failure('[1,2,3]').code).toBe('PW_INPUT_FORMAT_UNKNOWN');
    expect(failure('{"hello":"world"}').message).toContain('neither a CycloneDX BOM');
  });

  it('SPDX of another version, naming it', () => {
    expect(failure('{"spdxVersion":"SPDX-2.1","packages":[]}')).toMatchObject({
      code: 'PW_INPUT_INVALID',
      message: 'in/host-9.txt: SPDX spdxVersion "SPDX-2.1" is not supported (supported: SPDX-2.2, SPDX-2.3)',
    });
  });

  it('malformed lines in a detected format, naming the line', () => {
    const e = failure('bash\t(none)\t5.1.8\t9.el9\tx86_64\tbash-5.1.8-9.el9.src.rpm\ngarbage here\n', 'r.txt', { ecosystem: 'AlmaLinux:9' });
    expect(e).toMatchObject({ code: 'PW_INPUT_MALFORMED', message: 'r.txt: line 2: expected 6 tab-separated fields, found 1' });
  });
});

describe('parseInventoryObject', () => {
  it('reads already-parsed JSON', () => {
    const r = parseInventoryObject(JSON.parse(fixture('trivy-almalinux9.cdx.json')), 'x.json');
    expect(r.format).toBe('cyclonedx-json');
    expect(r.inventories[0]?.packages).toHaveLength(6);
  });

  it("reads GitHub's REST answer, the SPDX document under `sbom`, with the caller's host name as fallback", () => {
    const sbom = JSON.parse(fixture('github-storefront.spdx.json')) as Record<string, unknown>;
    const r = parseInventoryObject({ sbom: { ...sbom, name: '' } }, 'repos/storefront.json', { host: 'storefront' });
    expect(r.format).toBe('spdx-json');
    expect(r.inventories[0]?.host).toBe('storefront');
    expect(r.inventories[0]?.packages.map((p) => p.name)).toContain('lodash');
  });

  it('uses the base name as host when the SBOM has none', () => {
    const r = parseInventoryObject({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [] }, 'a/b/host-3.cdx.json');
    expect(r.inventories[0]?.host).toBe('host-3.cdx');
  });

  it('refuses other values', () => {
    for (const v of [null, 42, 'text', { a: 1 }]) {
      expect(() => parseInventoryObject(v, 'x')).toThrow(/not a recognised inventory/);
    }
  });
});

describe('baseName', () => {
  it.each([
    ['hosts/web-01.status', 'web-01'],
    ['C:\\inv\\db1.json', 'db1'],
    ['status', 'status'],
    ['archive.tar.gz:hosts/app.example.com.txt', 'app.example.com'],
    ['.hidden', '.hidden'],
  ])('%s → %s', (source, expected) => {
    expect(baseName(source)).toBe(expected);
  });
});
