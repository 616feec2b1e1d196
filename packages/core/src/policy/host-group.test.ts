import { describe, expect, it } from 'vitest';
import { parseHostGroup, selects, type SelectableHost } from './host-group.js';

const host = (over: Partial<SelectableHost['attributes']> & { id?: string; name?: string; os?: SelectableHost['os'] } = {}): SelectableHost => ({
  id: over.id ?? 'h1',
  name: over.name ?? 'web-01',
  os: over.os === undefined ? { id: 'debian', versionId: '12' } : over.os,
  attributes: { tier: over.tier ?? null, environment: over.environment ?? null, tags: over.tags ?? [], cluster: over.cluster ?? null, internetFacing: over.internetFacing ?? null },
});

describe('selects', () => {
  it('needs every field given; values of one field are alternatives; tags are all required', () => {
    const s = { tier: [0, 1], environment: ['prod'], tags: ['pci', 'web'] };
    expect(selects(s, host({ tier: 1, environment: 'prod', tags: ['pci', 'web', 'eu'] }))).toBe(true);
    expect(selects(s, host({ tier: 2, environment: 'prod', tags: ['pci', 'web'] }))).toBe(false);
    expect(selects(s, host({ tier: 0, environment: 'prod', tags: ['pci'] }))).toBe(false);
    expect(selects(s, host({ tier: null, environment: 'prod', tags: ['pci', 'web'] }))).toBe(false); // unknown tier is not tier 0
  });

  it('matches os by id or id-version, and names members by id or name', () => {
    expect(selects({ os: ['debian'] }, host())).toBe(true);
    expect(selects({ os: ['debian-12'] }, host({ os: { id: 'debian', versionId: '12' } }))).toBe(true);
    expect(selects({ os: ['almalinux-9'] }, host({ os: { id: 'almalinux', versionId: '9.4' } }))).toBe(true);
    expect(selects({ os: ['debian-11'] }, host())).toBe(false);
    expect(selects({ os: ['debian'] }, host({ os: null }))).toBe(false);
    // os-release ids with dashes, in every spelling `hosts list --os` takes.
    const leap = host({ os: { id: 'opensuse-leap', versionId: '15.5' } });
    for (const o of ['opensuse-leap', 'opensuse-leap-15.5', 'opensuse-leap 15.5', 'opensuse-leap:15']) expect(selects({ os: [o] }, leap), o).toBe(true);
    expect(selects({ os: ['opensuse-tumbleweed'] }, host({ os: { id: 'opensuse-tumbleweed', versionId: '20240601' } }))).toBe(true);
    expect(selects({ os: ['opensuse-leap-15.4'] }, leap)).toBe(false);
    expect(selects({ hosts: ['WEB-01'] }, host())).toBe(true);
    expect(selects({ hosts: ['h1'] }, host({ name: 'x' }))).toBe(true);
    expect(selects({ internetFacing: false }, host({ internetFacing: null }))).toBe(false);
  });
});

describe('parseHostGroup', () => {
  it('reads a valid group', () => {
    expect(parseHostGroup({ name: 'prod-tier0', selector: { tier: [0], environment: ['prod'] } }, 'g')).toEqual({ name: 'prod-tier0', description: '', selector: { tier: [0], environment: ['prod'] } });
  });

  it.each([
    [{ name: 'Prod', selector: { tier: [0] } }, /name: expected 1-64 lower-case/],
    [{ name: 'p', selector: {} }, /selects every host/],
    [{ name: 'p', selector: { tier: [4] } }, /selector\.tier/],
    [{ name: 'p', selector: { tags: [] } }, /selector\.tags: expected a non-empty list/],
    [{ name: 'p', selector: { owner: ['x'] } }, /selector\.owner: unknown field/],
    [{ name: 'p', selector: { internetFacing: 'yes' } }, /selector\.internetFacing/],
    [{ name: 'p', selector: { os: ['debian', '12'] } }, /^group: selector\.os\[1\]: "12": expected an os-release id/],
    [{ name: 'p', selector: { tier: [0] }, extra: 1 }, /extra: unknown field/],
  ])('refuses %j', (value, message) => {
    expect(() => parseHostGroup(value, 'group')).toThrow(message);
  });
});
