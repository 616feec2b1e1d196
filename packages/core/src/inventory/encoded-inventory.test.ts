import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InventoryDecoder, InventoryEncoder, PackageCache, parseInventory, type HostInventory } from './index.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/inventory');
const read = (name: string, options: Parameters<typeof parseInventory>[2] = {}): HostInventory =>
  parseInventory(readFileSync(join(FIXTURES, name), 'utf8'), name, options).inventories[0] as HostInventory;

/** The same host with one more package, as another host of the image would read. */
function withExtra(host: HostInventory, name: string): HostInventory {
  const extra = { ecosystem: 'AlmaLinux:9', name, version: '1.0-1.el9', sourceName: undefined, sourceVersion: undefined, arch: 'x86_64' };
  return { ...host, host: `${host.host}-2`, packages: [...host.packages, extra] };
}

describe('InventoryEncoder and InventoryDecoder', () => {
  it('give back every host of every format as read: facts, packages, absent fields', () => {
    const encoder = new InventoryEncoder();
    const decoder = new InventoryDecoder(new PackageCache());
    const cache = new PackageCache();
    const names = ['trivy-almalinux9.cdx.json', 'syft-debian12.cdx.json', 'syft-ubuntu2204-1.4.cdx.json', 'trivy-alpine318.cdx.json', 'patchwise-pay-api-1.json'];
    const hosts = [
      ...names.map((n) => read(n, { packageCache: cache })),
      read('dpkg-status-debian12', { ecosystem: 'Debian:12' }),
      read('rpm-qa-almalinux9.tsv', { ecosystem: 'AlmaLinux:9' }),
    ];
    for (const host of hosts) {
      // Through structured clone, as between threads.
      const decoded = decoder.decode(structuredClone(encoder.encode(host)));
      expect(decoded).toEqual(host);
      expect(decoded.packages.length).toBeGreaterThan(0);
    }
  });

  it('sends a package in full once; later hosts of the image cost only its numbers', () => {
    const encoder = new InventoryEncoder();
    const first = read('trivy-almalinux9.cdx.json', { packageCache: new PackageCache() });
    const a = encoder.encode(first);
    expect(a.defs.length / 6).toBe(new Set(first.packages).size);
    const b = encoder.encode(withExtra(first, 'only-here'));
    expect(b.defs).toEqual(['AlmaLinux:9', 'only-here', '1.0-1.el9', undefined, undefined, 'x86_64']);
    expect([...b.refs.subarray(0, a.refs.length)]).toEqual([...a.refs]);
  });

  it('gives hosts from two senders the same package objects (the matcher memoises per object)', () => {
    const cache = new PackageCache();
    const [left, right] = [new InventoryDecoder(cache), new InventoryDecoder(cache)];
    // Each sender parses with its own cache, as each thread does.
    const fromLeft = left.decode(structuredClone(new InventoryEncoder().encode(read('syft-debian12.cdx.json', { packageCache: new PackageCache() }))));
    const fromRight = right.decode(structuredClone(new InventoryEncoder().encode(read('syft-debian12.cdx.json', { packageCache: new PackageCache() }))));
    expect(fromRight.packages.length).toBe(fromLeft.packages.length);
    fromRight.packages.forEach((p, i) => expect(p).toBe(fromLeft.packages[i]));
  });

  it('starts numbering again past its bound, and the decoder follows', () => {
    const host = read('trivy-almalinux9.cdx.json', { packageCache: new PackageCache() });
    const encoder = new InventoryEncoder(host.packages.length + 1);
    const decoder = new InventoryDecoder(new PackageCache());
    const first = encoder.encode(host);
    const second = encoder.encode(withExtra(host, 'a'));
    const third = encoder.encode(withExtra(host, 'b'));
    expect([first.reset, second.reset, third.reset]).toEqual([false, true, true]);
    for (const [encoded, want] of [
      [first, host],
      [second, withExtra(host, 'a')],
      [third, withExtra(host, 'b')],
    ] as const) {
      expect(decoder.decode(structuredClone(encoded))).toEqual(want);
    }
  });
});
