import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import type { Caught } from '../../test/support/caught.js';
import { PackageCache } from './package-cache.js';
import { isPatchwiseInventory, parsePatchwiseInventory } from './patchwise-json.js';

type Obj = Record<string, unknown>;
const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/inventory/patchwise-pay-api-1.json', import.meta.url), 'utf8'),
) as Obj;
const doc = (host: Obj, packages: unknown = [], extra: Obj = {}): Obj => ({ format: 'patchwise-inventory', version: 1, host, packages, ...extra });

const invalid = (d: Obj): Caught => caught(() => parsePatchwiseInventory(d, 'agent.json'));

describe('parsePatchwiseInventory', () => {
  it('reads the documented example', () => {
    const inv = parsePatchwiseInventory(fixture, 'agent.json');
    expect(inv).toMatchObject({
      host: 'pay-api-1',
      source: 'agent.json',
      machineId: '4c4c4544-0042-3510-8052-b4c04f4e4a32',
      distro: { id: 'debian', versionId: '12.5', ecosystem: 'Debian:12' },
      runningKernel: '6.1.0-18-amd64',
      attributes: { tier: 0, internetFacing: true, environment: 'production', owner: 'payments' },
    });
    expect(invalid(doc({ name: 'h', kernel: '' })).message).toMatch(/host\.kernel/);
    expect(parsePatchwiseInventory(doc({ name: 'h' }), 'x').runningKernel).toBeUndefined();
    expect(inv.packages).toEqual([
      { ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.11-1~deb12u2', arch: 'amd64', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2' },
      { ecosystem: 'Debian:12', name: 'curl', version: '7.88.1-10+deb12u5', arch: 'amd64' },
      { ecosystem: 'PyPI', name: 'jinja2', version: '3.1.2' },
      { ecosystem: 'npm', name: '@angular/core', version: '17.0.8' },
    ]);
  });

  it('shares equal packages of different documents through a cache, and only equal ones', () => {
    const cache = new PackageCache();
    const os = { id: 'almalinux', versionId: '9.4' };
    const a = parsePatchwiseInventory(doc({ name: 'a', os }, [{ name: 'bash', version: '5.1.8-9.el9', arch: 'x86_64' }, { name: 'curl', version: '7.76.1-29.el9', arch: 'x86_64' }]), 'a', cache);
    const b = parsePatchwiseInventory(doc({ name: 'b', os }, [{ name: 'bash', version: '5.1.8-9.el9', arch: 'x86_64' }, { name: 'curl', version: '7.76.1-29.el9', arch: 'aarch64' }]), 'b', cache);
    expect(b.packages[0]).toBe(a.packages[0]);
    expect(b.packages[1]).not.toBe(a.packages[1]);
    expect(b.packages[1]).toEqual({ ecosystem: 'AlmaLinux:9', name: 'curl', version: '7.76.1-29.el9', arch: 'aarch64', sourceName: undefined, sourceVersion: undefined });
    // Validation still runs on every document, shared or not.
    expect(caught(() => parsePatchwiseInventory(doc({ name: 'c', os }, [{ name: 'bash', version: '' }]), 'c', cache)).message).toMatch(/packages\[0\]\.version/);
  });

  it('needs no os when every package names its ecosystem', () => {
    const inv = parsePatchwiseInventory(doc({ name: 'h' }, [{ ecosystem: 'PyPI', name: 'A_B', version: '1' }]), 'x');
    expect(inv.distro).toBeUndefined();
    expect(inv.packages[0]?.name).toBe('a-b');
  });

  it("reads a package's ecosystem in OSV's spelling whatever its case, so it matches like it", () => {
    const d = doc({ name: 'h' }, [
      { ecosystem: 'pypi', name: 'Django', version: '3.2' },
      { ecosystem: 'debian:12', name: 'libssl3', version: '3.0.11-1~deb12u1', sourceName: 'openssl' },
      { ecosystem: 'NoSuchEcosystem', name: 'x', version: '1' },
    ]);
    const packages = parsePatchwiseInventory(d, 'x').packages;
    expect(packages.map((p) => `${p.ecosystem} ${p.name}`)).toEqual(['PyPI django', 'Debian:12 libssl3', 'NoSuchEcosystem x']);
  });

  it('accepts an os OSV does not cover as long as packages name their ecosystem', () => {
    const d = doc({ name: 'h', os: { id: 'centos', versionId: '7' } }, [{ ecosystem: 'PyPI', name: 'six', version: '1.16.0' }]);
    expect(parsePatchwiseInventory(d, 'x').packages).toHaveLength(1);
    const e = invalid(doc({ name: 'h', os: { id: 'centos', versionId: '7' } }, [{ name: 'bash', version: '4.2' }]));
    expect(e.message).toBe('agent.json: packages[0].ecosystem: is required: host.os "centos" has no OSV ecosystem');
  });

  it.each([
    [doc({ name: 'h' }, [], { version: 2 }), 'version: must be one of 1 (got 2)'],
    [doc({ name: 'h' }, [], { format: 'other' }), 'format: must be "patchwise-inventory"'],
    [doc({ name: 'h' }, [], { extra: 1 }), 'extra: unknown field'],
    [doc({ name: '' }), 'host.name: must be a non-empty string'],
    [doc('nope' as unknown as Obj), 'host: must be an object'],
    [doc({ name: 'h', os: { id: 'ubuntu', versionId: '22' } }), 'host.os.versionId: '],
    [doc({ name: 'h', os: { versionId: '12' } }), 'host.os.id: must be a non-empty string'],
    [doc({ name: 'h', attributes: { tier: 4 } }), 'host.attributes.tier: must be 0, 1, 2 or 3 (got 4)'],
    [doc({ name: 'h', attributes: { internetfacing: true } }), 'host.attributes.internetfacing: unknown field'],
    [doc({ name: 'h', attributes: { internetFacing: 'yes' } }), 'host.attributes.internetFacing: must be true or false'],
    [doc({ name: 'h' }, {}), 'packages: must be an array'],
    [doc({ name: 'h' }, [null]), 'packages[0]: must be an object'],
    [doc({ name: 'h' }, [{ name: 'bash', version: '5' }]), 'packages[0].ecosystem: is required: host.os is absent'],
    [doc({ name: 'h', os: { id: 'debian', versionId: '12' } }, [{ name: 'a', version: '1' }, { name: 'b', version: 5 }]), 'packages[1].version: must be a non-empty string'],
    [doc({ name: 'h', os: { id: 'debian', versionId: '12' } }, [{ name: 'a', version: '1', sourcename: 'x' }]), 'packages[0].sourcename: unknown field'],
  ])('names the field path: %#', (d, text) => {
    const e = invalid(d);
    expect(e.code).toBe('PW_INPUT_INVALID');
    expect(e.message).toContain(text);
    expect(e.message.startsWith('agent.json: ')).toBe(true);
  });

  it('recognises Patchwise inventories', () => {
    expect(isPatchwiseInventory(fixture)).toBe(true);
    expect(isPatchwiseInventory({ format: 'other' })).toBe(false);
    expect(isPatchwiseInventory([])).toBe(false);
  });
});
