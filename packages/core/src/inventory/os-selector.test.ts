import { describe, expect, it } from 'vitest';
import { osSelected, parseOsSelector } from './os-selector.js';

describe('parseOsSelector', () => {
  it.each([
    ['opensuse-leap', 'opensuse-leap', undefined],
    ['opensuse-leap-15.5', 'opensuse-leap', '15.5'],
    ['opensuse-leap 15.5', 'opensuse-leap', '15.5'],
    ['opensuse-tumbleweed', 'opensuse-tumbleweed', undefined],
    ['debian-12', 'debian', '12'],
    ['debian:12', 'debian', '12'],
    ['ubuntu 22.04', 'ubuntu', '22.04'],
    [' Debian ', 'debian', undefined],
    ['sles_sap-15.5', 'sles_sap', '15.5'],
  ])('%j → %s %s', (text, id, version) => {
    expect(parseOsSelector(text)).toEqual({ id, version });
  });

  it('refuses what names no os-release id or version, naming the input', () => {
    expect(() => parseOsSelector('12', '--os')).toThrow('--os: "12": expected an os-release id');
    expect(() => parseOsSelector('debian 12%', '--os')).toThrow('--os: "debian 12%": the version "12%" is not a release number');
    expect(() => parseOsSelector('Debian GNU/Linux', '--os')).toThrow(/expected an os-release id/);
  });
});

describe('osSelected', () => {
  it('matches the id, and the version by whole components', () => {
    const leap = { id: 'opensuse-leap', versionId: '15.5' };
    expect(osSelected(parseOsSelector('opensuse-leap'), leap)).toBe(true);
    expect(osSelected(parseOsSelector('opensuse-leap-15'), leap)).toBe(true);
    expect(osSelected(parseOsSelector('opensuse-leap-15.4'), leap)).toBe(false);
    expect(osSelected(parseOsSelector('opensuse'), leap)).toBe(false);
    expect(osSelected(parseOsSelector('debian-1'), { id: 'debian', versionId: '12' })).toBe(false);
  });
});
