import { parseInventory } from '@patchwise/core';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from './host-facts.js';
import { buildInventoryDocument } from './inventory-document.js';
import type { InventoryPackage } from './inventory-document.js';

const facts: HostFacts = {
  hostname: 'pay-api-1',
  machineId: '4c4c45440042351080526b4c04f4e4a3',
  os: { id: 'debian', idLike: [], versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', versionCodename: 'bookworm' },
  kernelRelease: null,
  architecture: null,
  uptimeSeconds: null,
  ipAddresses: null,
  rebootRequired: null,
  serialNumber: null,
  timezone: 'UTC',
};
const packages: InventoryPackage[] = [
  { name: 'libssl3', version: '3.0.11-1~deb12u2', arch: 'amd64', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2' },
  { ecosystem: 'PyPI', name: 'Jinja2', version: '3.1.2' },
];

describe('buildInventoryDocument', () => {
  it('builds a v1 document that core parseInventory accepts', () => {
    const doc = buildInventoryDocument(facts, packages);
    expect(doc).toEqual({
      format: 'patchwise-inventory',
      version: 1,
      host: { name: 'pay-api-1', machineId: '4c4c45440042351080526b4c04f4e4a3', os: { id: 'debian', versionId: '12' } },
      packages,
    });
    const [inv] = parseInventory(JSON.stringify(doc), 'agent', {}).inventories;
    expect(inv?.host).toBe('pay-api-1');
    expect(inv?.machineId).toBe('4c4c45440042351080526b4c04f4e4a3');
    expect(inv?.distro?.ecosystem).toBe('Debian:12');
    expect(inv?.packages.map((p) => [p.ecosystem, p.name, p.sourceName])).toEqual([
      ['Debian:12', 'libssl3', 'openssl'],
      ['PyPI', 'jinja2', undefined],
    ]);
  });

  it('leaves out absent values and takes a given host name over a missing one', () => {
    const doc = buildInventoryDocument({ ...facts, hostname: null, machineId: null, os: { ...facts.os!, versionId: '12' } }, [{ name: 'x', version: '1', arch: undefined }], { hostName: 'image-1' });
    expect(doc.host).toEqual({ name: 'image-1', os: { id: 'debian', versionId: '12' } });
    expect(Object.keys(doc.packages[0]!)).toEqual(['name', 'version']);
    // The running kernel goes with the packages, so the server can leave idle kernels out.
    const live = buildInventoryDocument({ ...facts, kernelRelease: '6.1.0-18-amd64' }, packages);
    expect(live.host).toMatchObject({ name: 'pay-api-1', kernel: '6.1.0-18-amd64' });
    expect(parseInventory(JSON.stringify(live), 'agent', {}).inventories[0]?.runningKernel).toBe('6.1.0-18-amd64');
    expect(() => buildInventoryDocument({ ...facts, hostname: null }, [])).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
  });

  it('refuses distribution packages it cannot place, but keeps an unknown distribution for PyPI-only documents', () => {
    const centos = { ...facts, os: { ...facts.os!, id: 'centos', versionId: '7' } };
    expect(() => buildInventoryDocument(centos, packages)).toThrow(expect.objectContaining({ code: 'PW_ECOSYSTEM_UNKNOWN' }));
    const pyOnly = buildInventoryDocument(centos, packages.filter((p) => p.ecosystem));
    expect(parseInventory(JSON.stringify(pyOnly), 'agent', {}).inventories[0]?.packages).toHaveLength(1);
    expect(() => buildInventoryDocument({ ...facts, os: { ...facts.os!, versionId: null } }, [])).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
    expect(() => buildInventoryDocument({ ...facts, os: null }, packages)).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
  });
});
