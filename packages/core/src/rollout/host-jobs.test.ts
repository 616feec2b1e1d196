import { describe, expect, it } from 'vitest';
import { binaryVersionFor, jobTargets, managerForEcosystem } from './host-jobs.js';

describe('managerForEcosystem', () => {
  it('maps distribution families to their package manager, and unknown ones to none', () => {
    expect(['Debian:12', 'Ubuntu:22.04:LTS', 'AlmaLinux:9', 'Red Hat:enterprise_linux:7', 'Red Hat:enterprise_linux:9', 'openSUSE:Leap 15.5', 'Alpine:v3.19', 'PyPI', null].map(managerForEcosystem)).toEqual([
      'apt', 'apt', 'dnf', 'yum', 'dnf', 'zypper', 'apk', null, null,
    ]);
  });
});

describe('jobTargets', () => {
  const pkg = (name: string, version: string, sourceName?: string) => ({ ecosystem: 'Debian:12', name, version, ...(sourceName ? { sourceName, sourceVersion: version } : {}) });
  it('targets installed packages below the target, by binary or source name, in dpkg order', () => {
    const targets = [
      { ecosystem: 'Debian:12', package: 'openssl', version: '3.0.15-1~deb12u1' },
      { ecosystem: 'Debian:12', package: 'curl', version: '7.88.1-10+deb12u8' },
      { ecosystem: 'Debian:12', package: 'absent', version: '1.0' },
      { ecosystem: 'AlmaLinux:9', package: 'zlib', version: '1.3' },
    ];
    const installed = [pkg('libssl3', '3.0.14-1~deb12u2', 'openssl'), pkg('openssl', '3.0.15-1~deb12u1'), pkg('curl', '7.88.1-10+deb12u5'), pkg('zlib1g', '1:1.2.13')];
    expect(jobTargets(targets, 'Debian:12', installed)).toEqual([
      { name: 'curl', version: '7.88.1-10+deb12u8' },
      { name: 'libssl3', version: '3.0.15-1~deb12u1' },
    ]);
    expect(jobTargets(targets, null, installed)).toEqual([]);
  });

  // Debian 13 (trixie) as debootstrap installs it: binaries of one source whose versions are not
  // the source's (dpkg-query ${Package} ${source:Package} ${source:Version} ${Version}).
  const trixie = (name: string, sourceName: string, sourceVersion: string, version: string) => ({ ecosystem: 'Debian:13', name, version, sourceName, sourceVersion });
  const installed = [
    trixie('util-linux', 'util-linux', '2.41.5-0+deb13u1', '2.41.5-0+deb13u1'),
    trixie('bsdutils', 'util-linux', '2.41.5-0+deb13u1', '1:2.41.5-0+deb13u1'),
    trixie('login', 'util-linux', '2.41.5-0+deb13u1', '1:4.16.0-2+really2.41.5-0+deb13u1'),
    trixie('python3-yaml', 'pyyaml', '6.0.2-1', '6.0.2-1+b2'),
    trixie('libcap2', 'libcap2', '1:2.75-10+deb13u1', '1:2.75-10+deb13u1+b3'),
    trixie('dmsetup', 'lvm2', '2.03.31-2', '2:1.02.205-2'),
    trixie('lvm2', 'lvm2', '2.03.31-2', '2.03.31-2'),
  ];
  it('a source target reaches every binary built from it, by source version, at the version the upload builds', () => {
    const targets = [
      { ecosystem: 'Debian:13', package: 'util-linux', version: '2.41.5-0+deb13u2' },
      { ecosystem: 'Debian:13', package: 'pyyaml', version: '6.0.2-1+deb13u1' },
      { ecosystem: 'Debian:13', package: 'libcap2', version: '1:2.75-10+deb13u2' },
      { ecosystem: 'Debian:13', package: 'lvm2', version: '2.03.31-2+deb13u1' },
    ];
    expect(jobTargets(targets, 'Debian:13', installed)).toEqual([
      { name: 'bsdutils', version: '1:2.41.5-0+deb13u2' },
      { name: 'libcap2', version: '1:2.75-10+deb13u2' },
      { name: 'login', version: '1:4.16.0-2+really2.41.5-0+deb13u2' },
      // dmsetup's version cannot be told from lvm2's: left out rather than asked for at one that does not exist.
      { name: 'lvm2', version: '2.03.31-2+deb13u1' },
      { name: 'python3-yaml', version: '6.0.2-1+deb13u1' },
      { name: 'util-linux', version: '2.41.5-0+deb13u2' },
    ]);
  });
  it('a binNMU whose source is already at the target needs nothing', () => {
    expect(jobTargets([{ ecosystem: 'Debian:13', package: 'libcap2', version: '1:2.75-10+deb13u1' }], 'Debian:13', installed)).toEqual([]);
  });
  it('a target naming a binary whose source no target names is compared at the binary version', () => {
    expect(jobTargets([{ ecosystem: 'Debian:13', package: 'login', version: '1:4.16.0-2+really2.41.5-0+deb13u2' }], 'Debian:13', installed)).toEqual([
      { name: 'login', version: '1:4.16.0-2+really2.41.5-0+deb13u2' },
    ]);
  });
});

describe('binaryVersionFor', () => {
  it('derives what can be derived and nothing else', () => {
    expect(binaryVersionFor('3.5.9-1~deb13u1', '3.5.9-1~deb13u1', '3.5.10-1~deb13u1', 'dpkg')).toBe('3.5.10-1~deb13u1');
    expect(binaryVersionFor('1:2.41.5-0+deb13u1+b1', '2.41.5-0+deb13u1', '2.41.5-0+deb13u2', 'dpkg')).toBe('1:2.41.5-0+deb13u2');
    // An epoch in the target as well as in the binary's prefix: no way to tell which wins.
    expect(binaryVersionFor('1:2.41.5-0+deb13u1', '2.41.5-0+deb13u1', '1:2.42-1', 'dpkg')).toBeUndefined();
    expect(binaryVersionFor('2:1.02.205-2', '2.03.31-2', '2.03.31-2+deb13u1', 'dpkg')).toBeUndefined();
    // rpm: binaries carry their source rpm's version, and nothing else is guessed.
    expect(binaryVersionFor('1:3.0.7-27.el9', '1:3.0.7-27.el9', '1:3.0.7-28.el9', 'rpm')).toBe('1:3.0.7-28.el9');
    expect(binaryVersionFor('3.0.7-27.el9+b1', '3.0.7-27.el9', '3.0.7-28.el9', 'rpm')).toBeUndefined();
  });
});
