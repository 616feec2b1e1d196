import { describe, expect, it } from 'vitest';
import { canonicalInventoryJson, inventoryDigest } from './inventory-digest.js';
import type { InventoryDocument } from './inventory-document.js';

const doc: InventoryDocument = {
  format: 'patchwise-inventory',
  version: 1,
  host: { name: 'web-1', machineId: '0123456789abcdef0123456789abcdef', os: { id: 'debian', versionId: '12' } },
  packages: [
    { name: 'libssl3', version: '3.0.11-1~deb12u2', arch: 'amd64', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2' },
    { ecosystem: 'PyPI', name: 'Jinja2', version: '3.1.2' },
    { name: 'bash', version: '5.2.15-2+b2', arch: 'amd64', sourceName: 'bash', sourceVersion: '5.2.15-2' },
    { name: 'libc6', version: '2.36-9', arch: 'i386', sourceName: 'glibc', sourceVersion: '2.36-9' },
    { name: 'libc6', version: '2.36-9', arch: 'amd64', sourceName: 'glibc', sourceVersion: '2.36-9' },
  ],
};

describe('inventoryDigest', () => {
  it('is SHA-256 hex of the documented canonical encoding', () => {
    expect(canonicalInventoryJson(doc)).toBe(
      '{"format":"patchwise-inventory","host":{"machineId":"0123456789abcdef0123456789abcdef","name":"web-1","os":{"id":"debian","versionId":"12"}},' +
        '"packages":[' +
        '{"arch":"amd64","name":"bash","sourceName":"bash","sourceVersion":"5.2.15-2","version":"5.2.15-2+b2"},' +
        '{"arch":"amd64","name":"libc6","sourceName":"glibc","sourceVersion":"2.36-9","version":"2.36-9"},' +
        '{"arch":"i386","name":"libc6","sourceName":"glibc","sourceVersion":"2.36-9","version":"2.36-9"},' +
        '{"arch":"amd64","name":"libssl3","sourceName":"openssl","sourceVersion":"3.0.11-1~deb12u2","version":"3.0.11-1~deb12u2"},' +
        '{"ecosystem":"PyPI","name":"Jinja2","version":"3.1.2"}' +
        '],"version":1}',
    );
    expect(inventoryDigest(doc)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores package order and key order', () => {
    const reordered: InventoryDocument = {
      packages: [...doc.packages].reverse().map((p) => Object.fromEntries(Object.entries(p).reverse()) as typeof p),
      host: { os: { versionId: '12', id: 'debian' }, name: 'web-1', machineId: '0123456789abcdef0123456789abcdef' },
      version: 1,
      format: 'patchwise-inventory',
    };
    expect(inventoryDigest(reordered)).toBe(inventoryDigest(doc));
  });

  it('changes with any value, and with a duplicated entry', () => {
    const base = inventoryDigest(doc);
    const bump = { ...doc, packages: doc.packages.map((p) => (p.name === 'bash' ? { ...p, version: '5.2.15-2+b3' } : p)) };
    expect(inventoryDigest(bump)).not.toBe(base);
    expect(inventoryDigest({ ...doc, host: { ...doc.host, name: 'web-2' } })).not.toBe(base);
    expect(inventoryDigest({ ...doc, packages: [...doc.packages, doc.packages[0]!] })).not.toBe(base);
  });

  it('does not depend on the locale: compares code units ("Z" before "a")', () => {
    const d: InventoryDocument = { ...doc, packages: [{ ecosystem: 'PyPI', name: 'a', version: '1' }, { ecosystem: 'PyPI', name: 'Z', version: '1' }] };
    expect(canonicalInventoryJson(d).indexOf('"Z"')).toBeLessThan(canonicalInventoryJson(d).indexOf('"a"'));
  });
});
