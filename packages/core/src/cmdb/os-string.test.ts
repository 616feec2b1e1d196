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
    // redhat-release spellings: the word "release" and a codename in parentheses.
    ['Rocky Linux release 9.3 (Blue Onyx)', 'rocky', [9, 3]],
    ['Red Hat Enterprise Linux Server release 7.9 (Maipo)', 'rhel', [7, 9]],
    ['CentOS Linux release 7.9.2009 (Core)', 'centos', [7, 9, 2009]],
    ['AlmaLinux release 9.4', 'almalinux', [9, 4]],
    // Vendor suffixes and prefixes that name nothing more.
    ['AlmaLinux OS 9.4', 'almalinux', [9, 4]],
    ['Linux Red Hat 9.4', 'rhel', [9, 4]],
    ['Rocky-Linux-8', 'rocky', [8]],
    ['Linux Mint 21.3', 'linuxmint', [21, 3]],
    ['openSUSE Tumbleweed', 'opensuse-tumbleweed', []],
    // CentOS Stream is its own product; CentOS after 8 can only be Stream.
    ['CentOS Stream 9', 'centos-stream', [9]],
    ['CentOS 9', 'centos-stream', [9]],
    ['CentOS 8', 'centos', [8]],
    // Service packs in every spelling.
    ['SLES 15-SP5', 'sles', [15, 5]],
    ['SLES 15SP5', 'sles', [15, 5]],
    ['SUSE Linux Enterprise Server 15 SP5', 'sles', [15, 5]],
    ['sles 15.5', 'sles', [15, 5]],
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
    expect(sameOs('Rocky Linux release 9.3 (Blue Onyx)', { id: 'rocky', versionId: '9.3' })).toBe(true);
    expect(sameOs('Red Hat Enterprise Linux Server release 7.9 (Maipo)', { id: 'rhel', versionId: '7.9' })).toBe(true);
    expect(sameOs('CentOS Linux release 7.9.2009 (Core)', { id: 'centos', versionId: '7' })).toBe(true);
    expect(sameOs('AlmaLinux OS 9.4', { id: 'almalinux', versionId: '9.4' })).toBe(true);
    expect(sameOs('Linux Mint 21.3', { id: 'linuxmint', versionId: '21.3' })).toBe(true);
    expect(sameOs('openSUSE Leap 15.5', { id: 'opensuse-leap', versionId: '15.5' })).toBe(true);
    expect(sameOs('SLES 15-SP5', { id: 'sles', versionId: '15.5' })).toBe(true);
  });

  it('CentOS Stream and CentOS Linux are different products, told apart by the host name', () => {
    const stream8 = { id: 'centos', versionId: '8', name: 'CentOS Stream 8' };
    expect(sameOs('CentOS Stream 8', stream8)).toBe(true);
    expect(sameOs('CentOS Linux 8', stream8)).toBe(false);
    expect(sameOs('CentOS Stream 8', { id: 'centos', versionId: '8', name: 'CentOS Linux 8' })).toBe(false);
    expect(sameOs('CentOS Stream 9', { id: 'centos', versionId: '9' })).toBe(true);
  });

  it('differs on id or a shared version component', () => {
    expect(sameOs('debian 11', { id: 'debian', versionId: '12' })).toBe(false);
    expect(sameOs('rhel 9', { id: 'rocky', versionId: '9.4' })).toBe(false);
    expect(sameOs('Ubuntu 22.04', { id: 'ubuntu', versionId: '24.04' })).toBe(false);
    expect(sameOs('Debian 12.4', { id: 'debian', versionId: '12.5' })).toBe(false);
    // A service pack is a version component, however it is spelled.
    expect(sameOs('SLES 15-SP5', { id: 'sles', versionId: '15.4' })).toBe(false);
    expect(sameOs('SLES 15 SP5', { id: 'sles', versionId: '15.4' })).toBe(false);
  });
});
