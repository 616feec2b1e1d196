import { describe, expect, it } from 'vitest';
import type { InstalledPackage } from '../inventory/index.js';
import { InstalledTargets } from './index.js';

describe('InstalledTargets', () => {
  const packages: InstalledPackage[] = [
    { ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.11-1~deb12u2+b1', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2' },
    { ecosystem: 'Debian:12', name: 'curl', version: '7.88.1-10' },
    { ecosystem: 'AlmaLinux:9', name: 'openssl-libs', version: '1:3.0.7-27.el9', sourceName: 'openssl', sourceVersion: '3.0.7-27.el9' },
  ];
  const installed = new InstalledTargets({ packages });

  it('knows a Debian binary by its source name and source version, as its findings name it', () => {
    expect(installed.has('Debian:12', 'openssl', '3.0.11-1~deb12u2')).toBe(true);
    expect(installed.has('Debian:12', 'libssl3', '3.0.11-1~deb12u2+b1')).toBe(false);
    expect(installed.has('Debian:12', 'openssl', '3.0.11-1~deb12u3')).toBe(false);
  });

  it('knows other packages by their own name and version, within their ecosystem', () => {
    expect(installed.has('Debian:12', 'curl', '7.88.1-10')).toBe(true);
    expect(installed.has('Debian:11', 'curl', '7.88.1-10')).toBe(false);
    // AlmaLinux records name binary rpms: the source rpm is kept for display only.
    expect(installed.has('AlmaLinux:9', 'openssl-libs', '1:3.0.7-27.el9')).toBe(true);
    expect(installed.has('AlmaLinux:9', 'openssl', '3.0.7-27.el9')).toBe(false);
  });

  it('leaves out kernels the host does not run, as the assessment does: booting a fixed kernel fixes', () => {
    const kernels: InstalledPackage[] = [
      { ecosystem: 'AlmaLinux:9', name: 'kernel', version: '5.14.0-427.el9', arch: 'x86_64' },
      { ecosystem: 'AlmaLinux:9', name: 'kernel', version: '5.14.0-503.el9', arch: 'x86_64' },
    ];
    const running = new InstalledTargets({ packages: kernels, runningKernel: '5.14.0-503.el9.x86_64' });
    expect(running.has('AlmaLinux:9', 'kernel', '5.14.0-503.el9')).toBe(true);
    expect(running.has('AlmaLinux:9', 'kernel', '5.14.0-427.el9')).toBe(false);
    // Not knowing the running kernel, every installed one counts, as every one is assessed.
    expect(new InstalledTargets({ packages: kernels }).has('AlmaLinux:9', 'kernel', '5.14.0-427.el9')).toBe(true);
  });
});
