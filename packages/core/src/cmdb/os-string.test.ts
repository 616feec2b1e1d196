import { describe, expect, it } from 'vitest';
import { parseOsName, sameOs } from './os-string.js';

describe('parseOsName', () => {
  it.each([
    ['Debian GNU/Linux 12 (bookworm)', 'debian', [12]],
    ['debian 12', 'debian', [12]],
    ['Debian 12.5', 'debian', [12, 5]],
    ['rhel 9', 'rhel', [9]],
    ['RHEL9', 'rhel', [9]],
    ['Red Hat Enterprise Linux Server 7.9', 'rhel', [7, 9]],
    ['Ubuntu 22.04.3 LTS', 'ubuntu', [22, 4, 3]],
    ['Rocky Linux 9', 'rocky', [9]],
    ['AlmaLinux 8.10', 'almalinux', [8, 10]],
    ['SLES 15 SP5', 'sles', [15, 5]],
    ['Alpine v3.18', 'alpine', [3, 18]],
    ['Windows Server 2019', 'windows-server', [2019]],
    ['Debian', 'debian', []],
  ])('%s → %s %j', (text, id, version) => {
    expect(parseOsName(text)).toEqual({ id, version });
  });
});

describe('sameOs', () => {
  it('compares ids through aliases and versions on the components both sides give', () => {
    expect(sameOs('debian 12', { id: 'debian', versionId: '12' })).toBe(true);
    expect(sameOs('Debian 12.5', { id: 'debian', versionId: '12' })).toBe(true);
    expect(sameOs('debian 12', { id: 'debian', versionId: '12.5' })).toBe(true);
    expect(sameOs('Debian', { id: 'debian', versionId: '11' })).toBe(true);
    expect(sameOs('rhel 9', { id: 'rhel', versionId: '9.4' })).toBe(true);
    expect(sameOs('AlmaLinux 9', { id: 'alma', versionId: '9.3' })).toBe(true);
    expect(sameOs('Ubuntu 22.04 LTS', { id: 'ubuntu', versionId: '22.04' })).toBe(true);
  });

  it('differs on id or a shared version component', () => {
    expect(sameOs('debian 11', { id: 'debian', versionId: '12' })).toBe(false);
    expect(sameOs('rhel 9', { id: 'rocky', versionId: '9.4' })).toBe(false);
    expect(sameOs('Ubuntu 22.04', { id: 'ubuntu', versionId: '24.04' })).toBe(false);
    expect(sameOs('Debian 12.4', { id: 'debian', versionId: '12.5' })).toBe(false);
  });
});
