import { describe, expect, it } from 'vitest';
import type { AffectedRange } from '../advisories/index.js';
import type { InstalledPackage } from '../inventory/index.js';
import { Matcher, assessHost, findingsOf, fixAwaitingBoot, idleKernels, withoutIdleKernels } from './index.js';

const deb = (name: string, version: string, sourceName = 'linux'): InstalledPackage => ({ ecosystem: 'Debian:12', name, version, sourceName, sourceVersion: version, arch: 'amd64' });
const ubuntu = (name: string, version: string, sourceName = 'linux'): InstalledPackage => ({ ecosystem: 'Ubuntu:22.04:LTS', name, version, sourceName, sourceVersion: version });
const alma = (name: string, version: string): InstalledPackage => ({ ecosystem: 'AlmaLinux:9', name, version, arch: 'x86_64' });
const names = (ps: readonly InstalledPackage[]) => ps.map((p) => `${p.name} ${p.version}`);

// A Debian 12 host after two kernel updates, running the middle kernel (updated, not rebooted
// since the last one), as `dpkg -l 'linux-*'` lists such a host.
const bookworm = [
  deb('linux-image-6.1.0-17-amd64', '6.1.69-1', 'linux-signed-amd64'),
  deb('linux-image-6.1.0-18-amd64', '6.1.76-1', 'linux-signed-amd64'),
  deb('linux-image-6.1.0-20-amd64', '6.1.85-1', 'linux-signed-amd64'),
  deb('linux-headers-6.1.0-18-amd64', '6.1.76-1'),
  deb('linux-headers-6.1.0-18-common', '6.1.76-1'),
  deb('linux-headers-6.1.0-20-common', '6.1.85-1'),
  deb('linux-image-amd64', '6.1.85-1', 'linux-signed-amd64'),
  deb('linux-kbuild-6.1', '6.1.85-1'),
  deb('linux-libc-dev', '6.1.85-1'),
  deb('linux-base', '4.9', 'linux-base'),
  deb('openssl', '3.0.11-1~deb12u2', 'openssl'),
];

describe('withoutIdleKernels', () => {
  it('Debian: keeps the running ABI and every package that is not a kernel release', () => {
    expect(names(withoutIdleKernels(bookworm, '6.1.0-18-amd64'))).toEqual([
      'linux-image-6.1.0-18-amd64 6.1.76-1',
      'linux-headers-6.1.0-18-amd64 6.1.76-1',
      'linux-headers-6.1.0-18-common 6.1.76-1',
      'linux-image-amd64 6.1.85-1',
      'linux-kbuild-6.1 6.1.85-1',
      'linux-libc-dev 6.1.85-1',
      'linux-base 4.9',
      'openssl 3.0.11-1~deb12u2',
    ]);
    // After the reboot, the newest kernel runs, and only its packages are assessed.
    expect(names(withoutIdleKernels(bookworm, '6.1.0-20-amd64')).filter((n) => /-6\.1\.0-/.test(n))).toEqual(['linux-image-6.1.0-20-amd64 6.1.85-1', 'linux-headers-6.1.0-20-common 6.1.85-1']);
  });

  it('Debian: backports and trixie-style ABIs, and another flavour of the same ABI', () => {
    const host = [deb('linux-image-6.6.13+bpo-amd64', '6.6.13-1~bpo12+1'), deb('linux-image-6.1.0-18-amd64', '6.1.76-1'), deb('linux-headers-6.6.13+bpo-common', '6.6.13-1~bpo12+1')];
    expect(names(withoutIdleKernels(host, '6.6.13+bpo-amd64'))).toEqual(['linux-image-6.6.13+bpo-amd64 6.6.13-1~bpo12+1', 'linux-headers-6.6.13+bpo-common 6.6.13-1~bpo12+1']);
    const trixie = [deb('linux-image-6.12.10-amd64', '6.12.10-1'), deb('linux-image-6.12.12-amd64', '6.12.12-1'), deb('linux-image-6.12.12-cloud-amd64', '6.12.12-1'), deb('linux-headers-6.12.12-common', '6.12.12-1')];
    expect(names(withoutIdleKernels(trixie, '6.12.12-cloud-amd64'))).toEqual(['linux-image-6.12.12-amd64 6.12.12-1', 'linux-image-6.12.12-cloud-amd64 6.12.12-1', 'linux-headers-6.12.12-common 6.12.12-1']);
  });

  it('Ubuntu: flavourless headers, modules, HWE tools and cloud kernels', () => {
    const host = [
      ubuntu('linux-image-5.15.0-88-generic', '5.15.0-88.98', 'linux-signed'),
      ubuntu('linux-modules-5.15.0-88-generic', '5.15.0-88.98'),
      ubuntu('linux-headers-5.15.0-88', '5.15.0-88.98'),
      ubuntu('linux-image-5.15.0-91-generic', '5.15.0-91.101', 'linux-signed'),
      ubuntu('linux-modules-extra-5.15.0-91-generic', '5.15.0-91.101'),
      ubuntu('linux-headers-5.15.0-91', '5.15.0-91.101'),
      ubuntu('linux-hwe-6.5-tools-6.5.0-14', '6.5.0-14.14~22.04.1', 'linux-hwe-6.5'),
      ubuntu('linux-generic', '5.15.0.91.88', 'linux-meta'),
      ubuntu('linux-firmware', '20220329.git681281e4-0ubuntu3.24', 'linux-firmware'),
    ];
    expect(names(withoutIdleKernels(host, '5.15.0-91-generic'))).toEqual([
      'linux-image-5.15.0-91-generic 5.15.0-91.101',
      'linux-modules-extra-5.15.0-91-generic 5.15.0-91.101',
      'linux-headers-5.15.0-91 5.15.0-91.101',
      'linux-generic 5.15.0.91.88',
      'linux-firmware 20220329.git681281e4-0ubuntu3.24',
    ]);
    const aws = [ubuntu('linux-image-5.15.0-1050-aws', '5.15.0-1050.55'), ubuntu('linux-image-5.15.0-1049-aws', '5.15.0-1049.54')];
    expect(names(withoutIdleKernels(aws, '5.15.0-1050-aws'))).toEqual(['linux-image-5.15.0-1050-aws 5.15.0-1050.55']);
  });

  it('rpm: install-only kernel packages keep the running version; single-version kernel-* names stay', () => {
    const host = [
      alma('kernel', '5.14.0-362.24.1.el9_3'),
      alma('kernel-core', '5.14.0-362.24.1.el9_3'),
      alma('kernel-modules', '5.14.0-362.24.1.el9_3'),
      alma('kernel', '5.14.0-427.13.1.el9_4'),
      alma('kernel-core', '5.14.0-427.13.1.el9_4'),
      alma('kernel-modules', '5.14.0-427.13.1.el9_4'),
      alma('kernel-tools', '5.14.0-427.13.1.el9_4'),
      alma('kernel-headers', '5.14.0-427.13.1.el9_4'),
      alma('openssl', '1:3.0.7-27.el9'),
    ];
    expect(names(withoutIdleKernels(host, '5.14.0-362.24.1.el9_3.x86_64'))).toEqual([
      'kernel 5.14.0-362.24.1.el9_3',
      'kernel-core 5.14.0-362.24.1.el9_3',
      'kernel-modules 5.14.0-362.24.1.el9_3',
      'kernel-tools 5.14.0-427.13.1.el9_4',
      'kernel-headers 5.14.0-427.13.1.el9_4',
      'openssl 1:3.0.7-27.el9',
    ]);
    // A real-time kernel's release ends in +rt; an epoch in the stored version is not in uname.
    const rt = [alma('kernel-rt-core', '5.14.0-427.13.1.el9_4'), alma('kernel-rt-core', '5.14.0-427.18.1.el9_4')];
    expect(names(withoutIdleKernels(rt, '5.14.0-427.18.1.el9_4.x86_64+rt'))).toEqual(['kernel-rt-core 5.14.0-427.18.1.el9_4']);
    expect(names(withoutIdleKernels([alma('kernel-core', '0:5.14.0-1.el9'), alma('kernel-core', '0:5.14.0-2.el9')], '5.14.0-2.el9.x86_64'))).toEqual(['kernel-core 0:5.14.0-2.el9']);
  });

  it('SUSE: the release without its last part, then the flavour', () => {
    const sles = (name: string, version: string): InstalledPackage => ({ ecosystem: 'SUSE:Linux Enterprise Server 15 SP5', name, version });
    const host = [sles('kernel-default', '5.14.21-150500.55.36.1'), sles('kernel-default', '5.14.21-150500.55.39.1')];
    expect(names(withoutIdleKernels(host, '5.14.21-150500.55.39-default'))).toEqual(['kernel-default 5.14.21-150500.55.39.1']);
    expect(names(withoutIdleKernels(host, '5.14.21-150500.55.3-default'))).toHaveLength(2);
  });

  it('leaves everything, as the same array, when it cannot tell which kernel runs', () => {
    expect(withoutIdleKernels(bookworm, undefined)).toBe(bookworm);
    expect(withoutIdleKernels(bookworm, '  ')).toBe(bookworm);
    // A kernel not installed from a package, or a container reporting its host's kernel.
    expect(withoutIdleKernels(bookworm, '6.9.0-custom')).toBe(bookworm);
    expect(withoutIdleKernels(bookworm, '5.15.153.1-microsoft-standard-WSL2')).toBe(bookworm);
    const twoKernels = [alma('kernel-core', '5.14.0-362.24.1.el9_3'), alma('kernel-core', '5.14.0-427.13.1.el9_4')];
    expect(withoutIdleKernels(twoKernels, '6.8.0-31-generic')).toBe(twoKernels);
    // Nothing idle: the same array, so hosts of one image keep sharing answers by position.
    const one = [alma('kernel-core', '5.14.0-427.13.1.el9_4'), alma('openssl', '1:3.0.7-27.el9')];
    expect(withoutIdleKernels(one, '5.14.0-427.13.1.el9_4.x86_64')).toBe(one);
    const unknown = [{ ecosystem: 'Nonesuch', name: 'kernel', version: '1' }, { ecosystem: 'Nonesuch', name: 'kernel', version: '2' }];
    expect(withoutIdleKernels(unknown, '1')).toBe(unknown);
  });
});

describe('idleKernels and fixAwaitingBoot', () => {
  it('Debian: the newest idle kernel per source package, which fixes a finding once booted', () => {
    // Running 6.1.0-18 (source linux 6.1.76-1); 6.1.0-17 (older) and 6.1.0-20 (newer) idle.
    const idle = idleKernels(bookworm, '6.1.0-18-amd64');
    expect(idle).toEqual(
      expect.arrayContaining([
        { ecosystem: 'Debian:12', package: 'linux', version: '6.1.85-1' },
        { ecosystem: 'Debian:12', package: 'linux-signed-amd64', version: '6.1.85-1' },
      ]),
    );
    expect(idle).toHaveLength(2);
    const finding = (fixed: string | null, pkg = 'linux') => ({ ecosystem: 'Debian:12', package: pkg, fixed });
    expect(fixAwaitingBoot(finding('6.1.85-1'), idle)).toBe('6.1.85-1');
    expect(fixAwaitingBoot(finding('6.1.82-1'), idle)).toBe('6.1.85-1');
    // A fix newer than every installed kernel, a finding without a fix, another package: nothing awaits a boot.
    expect(fixAwaitingBoot(finding('6.1.90-1'), idle)).toBeUndefined();
    expect(fixAwaitingBoot(finding(null), idle)).toBeUndefined();
    expect(fixAwaitingBoot(finding('3.0.13-1~deb12u1', 'openssl'), idle)).toBeUndefined();
    expect(fixAwaitingBoot({ ecosystem: 'Debian:11', package: 'linux', fixed: '6.1.82-1' }, idle)).toBeUndefined();
    // Booted into the newest: only older kernels idle, and none of them fixes anything still open.
    expect(fixAwaitingBoot(finding('6.1.90-1'), idleKernels(bookworm, '6.1.0-20-amd64'))).toBeUndefined();
  });

  it('rpm: compares in rpm order, and finds nothing when the running kernel is unknown', () => {
    const host = [alma('kernel-core', '5.14.0-362.24.1.el9_3'), alma('kernel-core', '5.14.0-427.13.1.el9_4'), alma('kernel-core', '5.14.0-70.13.1.el9_0')];
    const idle = idleKernels(host, '5.14.0-70.13.1.el9_0.x86_64');
    // 427 > 362 in rpm order (a plain string order would pick 70 or 362).
    expect(idle).toEqual([{ ecosystem: 'AlmaLinux:9', package: 'kernel-core', version: '5.14.0-427.13.1.el9_4' }]);
    expect(fixAwaitingBoot({ ecosystem: 'AlmaLinux:9', package: 'kernel-core', fixed: '5.14.0-427.13.1.el9_4' }, idle)).toBe('5.14.0-427.13.1.el9_4');
    expect(fixAwaitingBoot({ ecosystem: 'AlmaLinux:9', package: 'kernel-core', fixed: '5.14.0-503.11.1.el9_5' }, idle)).toBeUndefined();
    expect(idleKernels(host, undefined)).toEqual([]);
  });
});

describe('assessHost with the running kernel', () => {
  const range = (fixed: string): AffectedRange[] => [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }];
  const kernelAdvisory = {
    id: 'ALSA-2024:3138',
    aliases: [],
    related: [],
    cves: [],
    type: 'security' as const,
    summary: 'Important: kernel security update',
    cvss: [],
    affected: [{ ecosystem: 'AlmaLinux:9', name: 'kernel-core', ranges: range('5.14.0-427.13.1.el9_4'), versions: [] }],
    source: 'ALSA-2024-3138.json',
  };
  const packages = [alma('kernel-core', '5.14.0-362.24.1.el9_3'), alma('kernel-core', '5.14.0-427.13.1.el9_4')];
  const assess = (runningKernel: string | undefined) => findingsOf(assessHost(new Matcher([kernelAdvisory]), { host: 'h', source: 'h', packages, runningKernel })).map((f) => `${f.advisory.id} ${f.installed}`);

  it('a fixed kernel installed but not booted leaves the finding open; once it runs, the finding goes', () => {
    expect(assess('5.14.0-362.24.1.el9_3.x86_64')).toEqual(['ALSA-2024:3138 5.14.0-362.24.1.el9_3']);
    expect(assess('5.14.0-427.13.1.el9_4.x86_64')).toEqual([]);
    // Unknown: every installed kernel is assessed, as before.
    expect(assess(undefined)).toEqual(['ALSA-2024:3138 5.14.0-362.24.1.el9_3']);
  });
});
