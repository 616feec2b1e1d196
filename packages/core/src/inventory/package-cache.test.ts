import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PackageCache, parseInventory } from './index.js';

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
