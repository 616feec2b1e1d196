import { describe, expect, it } from 'vitest';
import { jobTargets, managerForEcosystem } from './host-jobs.js';

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
});
