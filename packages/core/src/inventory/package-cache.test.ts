import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PackageCache, parseInventory, sharedPackages, type InstalledPackage } from './index.js';

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/inventory/${name}`, import.meta.url), 'utf8');

describe('PackageCache with the CycloneDX reader', () => {
  it.each(['syft-debian12.cdx.json', 'syft-ubuntu2204-1.4.cdx.json', 'trivy-almalinux9.cdx.json', 'trivy-alpine318.cdx.json'])(
    'shares package objects between SBOMs and reads exactly what an uncached read does (%s)',
    (name) => {
      const text = fixture(name);
      const plain = parseInventory(text, name).inventories[0]?.packages ?? [];
      const cache = new PackageCache();
      const first = parseInventory(text, name, { packageCache: cache }).inventories[0]?.packages ?? [];
      const second = parseInventory(text, `again-${name}`, { packageCache: cache }).inventories[0]?.packages ?? [];
      expect(plain.length).toBeGreaterThan(0);
      expect(first).toEqual(plain);
      expect(second).toEqual(plain);
      // The second read found every package in the cache: the very same objects.
      second.forEach((pkg, i) => expect(pkg).toBe(first[i]));
      expect(cache.size).toBeGreaterThan(0);
    },
  );

  it('keys Trivy components by their source properties too: same purl, other source, other package', () => {
    const bom = (srcVersion: string): string =>
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        metadata: { component: { name: 'h' } },
        components: [
          {
            type: 'library',
            name: 'libssl3',
            purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12',
            properties: [
              { name: 'aquasecurity:trivy:SrcName', value: 'openssl' },
              { name: 'aquasecurity:trivy:SrcVersion', value: srcVersion },
            ],
          },
        ],
      });
    const cache = new PackageCache();
    const a = parseInventory(bom('3.0.11'), 'a', { packageCache: cache }).inventories[0]?.packages[0];
    const b = parseInventory(bom('3.0.12'), 'b', { packageCache: cache }).inventories[0]?.packages[0];
    expect(a?.sourceVersion).toBe('3.0.11');
    expect(b?.sourceVersion).toBe('3.0.12');
  });
});

describe('sharedPackages (lists without purls: Patchwise JSON, stored snapshots)', () => {
  const pkg = (name: string, version: string, arch = 'x86_64'): InstalledPackage => ({ ecosystem: 'AlmaLinux:9', name, version, arch, sourceName: name, sourceVersion: version });
  const image = (): InstalledPackage[] => [pkg('bash', '5.1.8-9.el9'), pkg('openssl', '3.0.7-27.el9'), pkg('zlib', '1.2.11-40.el9'), pkg('curl', '7.76.1-29.el9')];

  it('returns one object per distinct package, equal field by field to what was read, position by position', () => {
    const cache = new PackageCache();
    const first = sharedPackages(cache, image());
    const drifted = image();
    drifted[1] = pkg('openssl', '3.0.7-28.el9'); // one host has an update at this place
    const second = sharedPackages(cache, drifted);
    const third = sharedPackages(cache, image()); // back to the image's package at that place
    expect(second).toEqual(drifted);
    expect(third).toEqual(image());
    [0, 2, 3].forEach((i) => expect(second[i]).toBe(first[i]));
    expect(second[1]).not.toBe(first[1]);
    third.forEach((p, i) => expect(p).toBe(first[i]));
  });

  it('tells apart packages that differ in any field at one place, and finds equal ones elsewhere by name', () => {
    const cache = new PackageCache();
    const first = sharedPackages(cache, image());
    const arch = image();
    arch[2] = pkg('zlib', '1.2.11-40.el9', 'i686');
    const source = image();
    source[3] = { ...pkg('curl', '7.76.1-29.el9'), sourceVersion: '7.76.1-30.el9' };
    expect(sharedPackages(cache, arch)[2]).toEqual(arch[2]);
    expect(sharedPackages(cache, arch)[2]).not.toBe(first[2]);
    expect(sharedPackages(cache, source)[3]).toEqual(source[3]);
    // Another layout (reordered, one more package) still gets the shared objects.
    const other = [pkg('vim', '8.2.2637-20.el9'), ...image().reverse()];
    const shared = sharedPackages(cache, other);
    expect(shared.slice(1)).toEqual(image().reverse());
    shared.slice(1).forEach((p) => expect(first).toContain(p));
    expect(first.some((p) => p === shared[1])).toBe(true);
  });
});
