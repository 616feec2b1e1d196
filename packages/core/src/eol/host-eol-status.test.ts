import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadEolData } from './eol-data.js';
import { hostEolStatus } from './host-eol-status.js';
import type { HostEolInput } from './host-eol-status.js';

const real = (path: string): string => readFileSync(new URL(`./data/${path}`, import.meta.url), 'utf8');
const at = (d: string): Date => new Date(`${d}T12:00:00Z`);
const host = (id: string, versionId: string, packages: HostEolInput['packages'] = []): HostEolInput => ({ os: { id, versionId }, packages });

describe('hostEolStatus: releases', () => {
  it('Debian 10 in 2025: standard support over, LTS over, in ELTS (subscription) — not EOL', () => {
    const { release } = hostEolStatus(host('debian', '10'), at('2025-01-01'));
    expect(release).toMatchObject({ status: 'extended', eol: false, date: '2022-09-10', extended: { name: 'ELTS', until: '2029-06-30' } });
    expect(release.reason).toBe(
      'Debian 10 (buster): standard support ended on 2022-09-10; LTS ended on 2024-06-30; in ELTS (Freexian Extended LTS, subscription) until 2029-06-30',
    );
  });

  it('Debian 10 without subscriptions assumed: EOL once LTS ended', () => {
    const { release } = hostEolStatus(host('debian', '10'), at('2025-01-01'), { assumeSubscriptions: false });
    expect(release).toMatchObject({ status: 'eol', eol: true, extended: { name: 'LTS', until: '2024-06-30' } });
    expect(release.reason).toBe(
      'Debian 10 (buster) reached end of life on 2024-06-30: standard support ended on 2022-09-10; LTS ended on 2024-06-30; ELTS (Freexian Extended LTS) until 2029-06-30 needs a subscription, not assumed',
    );
  });

  it('Debian 10 during LTS says "standard support ended, in LTS until …"', () => {
    const { release } = hostEolStatus(host('debian', '10'), at('2023-01-01'));
    expect(release.status).toBe('extended');
    expect(release.reason).toContain('standard support ended on 2022-09-10; in LTS (Debian LTS team) until 2024-06-30; then ELTS');
  });

  it('Debian 10 past every phase is EOL', () => {
    const { release } = hostEolStatus(host('debian', '10'), at('2030-01-01'));
    expect(release).toMatchObject({ status: 'eol', eol: true });
    expect(release.reason).toBe('Debian 10 (buster) reached end of life on 2029-06-30: standard support ended on 2022-09-10; LTS ended on 2024-06-30; ELTS ended on 2029-06-30');
  });

  it('the end date itself is already past (support ends at the start of that day, UTC)', () => {
    expect(hostEolStatus(host('debian', '10'), new Date('2022-09-09T23:59:59Z')).release.status).toBe('supported');
    expect(hostEolStatus(host('debian', '10'), new Date('2022-09-10T00:00:00Z')).release.status).toBe('extended');
  });

  it('Ubuntu 18.04: standard EOL 2023-05-31 vs ESM until 2028-04-26', () => {
    const before = hostEolStatus(host('ubuntu', '18.04'), at('2023-05-30')).release;
    expect(before).toMatchObject({ status: 'supported', eol: false, date: '2023-05-31' });
    expect(before.reason).toContain('is supported until 2023-05-31; then ESM');
    const during = hostEolStatus(host('ubuntu', '18.04'), at('2024-06-01')).release;
    expect(during).toMatchObject({ status: 'extended', eol: false, extended: { name: 'ESM', until: '2028-04-26', subscription: true } });
    expect(hostEolStatus(host('ubuntu', '18.04'), at('2024-06-01'), { assumeSubscriptions: false }).release).toMatchObject({ eol: true });
  });

  it('AlmaLinux 8: supported, then maintenance after active support, EOL after 2029-03-01', () => {
    expect(hostEolStatus(host('almalinux', '8.9'), at('2023-01-01')).release.status).toBe('supported');
    const m = hostEolStatus(host('almalinux', '8.10'), at('2025-01-01')).release;
    expect(m).toMatchObject({ status: 'maintenance', eol: false });
    expect(m.reason).toBe('AlmaLinux 8: full support ended on 2024-05-01; security support until 2029-03-01');
    expect(hostEolStatus(host('almalinux', '8.10'), at('2029-03-01')).release).toMatchObject({ status: 'eol', eol: true });
  });

  it('RHEL 7 in 2025 is in ELS; CentOS 7 is EOL', () => {
    expect(hostEolStatus(host('rhel', '7.9'), at('2025-01-01')).release).toMatchObject({ status: 'extended', extended: { name: 'ELS' } });
    expect(hostEolStatus(host('centos', '7'), at('2025-01-01')).release.reason).toBe('CentOS Linux 7 reached end of life on 2024-06-30');
  });

  it('tells CentOS Stream from CentOS Linux by its name: each has its own end', () => {
    const stream8 = { os: { id: 'centos', versionId: '8', name: 'CentOS Stream 8' }, packages: [] };
    expect(hostEolStatus(stream8, at('2024-05-30')).release).toMatchObject({ status: 'supported', date: '2024-05-31' });
    expect(hostEolStatus(stream8, at('2024-05-31')).release.reason).toBe('CentOS Stream 8 reached end of life on 2024-05-31');
    const linux8 = { os: { id: 'centos', versionId: '8', name: 'CentOS Linux 8' }, packages: [] };
    expect(hostEolStatus(linux8, at('2024-01-01')).release.reason).toBe('CentOS Linux 8 reached end of life on 2021-12-31');
    // Without a name, ID centos 8 is CentOS Linux as it always was; 9 and later can only be Stream.
    expect(hostEolStatus(host('centos', '8'), at('2024-01-01')).release.reason).toMatch(/^CentOS Linux 8 /);
    expect(hostEolStatus(host('centos', '9'), at('2026-12-01')).release.reason).toBe('CentOS Stream 9 is supported until 2027-05-31');
    expect(hostEolStatus(host('centos', '10'), at('2026-12-01')).release).toEqual({ status: 'unknown', reason: 'no lifecycle data for centos-stream 10' });
  });

  it('a release not yet released is prerelease, not supported: no release date, or one still ahead', () => {
    // distro-info lists Debian 14 (forky) with no release date: it is testing, without security support.
    expect(hostEolStatus(host('debian', '14'), at('2026-12-07')).release).toMatchObject({
      status: 'prerelease',
      eol: false,
      date: undefined,
      reason: 'Debian 14 (forky) is not released according to distro-info/debian.csv (no release date): a release in development, without security support',
    });
    expect(hostEolStatus(host('ubuntu', '26.10'), at('2026-01-01')).release).toMatchObject({
      status: 'prerelease',
      eol: false,
      reason: 'Ubuntu 26.10 (stonking) is not released yet (due 2026-10-15): a release in development, without security support until then',
    });
    // From its release day on, it is supported until its announced end.
    expect(hostEolStatus(host('ubuntu', '26.10'), new Date('2026-10-15T00:00:00Z')).release).toMatchObject({ status: 'supported', reason: 'Ubuntu 26.10 (stonking) is supported until 2027-07-15' });
  });

  it('a released release without an announced end is supported, and says so', () => {
    // Debian 14 as distro-info will list it once released, before its end of life is announced.
    const released = real('distro-info/debian.csv').replace('14,Forky,forky,2025-08-09\n', '14,Forky,forky,2025-08-09,2027-06-12\n');
    const data = loadEolData((p) => (p === 'distro-info/debian.csv' ? released : real(p)));
    expect(hostEolStatus(host('debian', '14'), at('2027-07-01'), { data }).release).toMatchObject({ status: 'supported', eol: false, reason: 'Debian 14 (forky) has no announced end of life' });
  });

  it('Debian testing or unstable (no VERSION_ID) is not a release: unknown, and the reason says why', () => {
    const forky = { os: { id: 'debian', versionId: '', name: 'Debian GNU/Linux forky/sid' }, packages: [] };
    expect(hostEolStatus(forky, at('2026-12-07')).release).toEqual({
      status: 'unknown',
      reason: 'Debian testing or unstable (Debian GNU/Linux forky/sid): no VERSION_ID, so not a Debian release; these have no end of life and no security support from the Debian security team',
    });
    expect(hostEolStatus(host('debian', ''), at('2026-12-07')).release.reason).toMatch(/^Debian testing or unstable: no VERSION_ID/);
  });

  it('unknown release', () => {
    expect(hostEolStatus(host('fedora', '40'), at('2026-01-01')).release).toEqual({ status: 'unknown', reason: 'no lifecycle data for fedora 40' });
  });
});

describe('hostEolStatus: Debian packages', () => {
  it('a package from the deb11 non-supported list, matched by source name', () => {
    const { packages } = hostEolStatus(
      host('debian', '11', [
        { ecosystem: 'Debian:11', name: 'chromium-common', sourceName: 'chromium', version: '120.0.6099.224-1~deb11u1' },
        { ecosystem: 'Debian:11', name: 'bash', sourceName: 'bash', version: '5.1-2+deb11u1' },
      ]),
      at('2025-01-01'),
    );
    expect(packages).toEqual([
      {
        name: 'chromium-common',
        sourceName: 'chromium',
        version: '120.0.6099.224-1~deb11u1',
        status: 'ended',
        date: '2024-01-23',
        lastSupportedVersion: '120.0.6099.224-1~deb11u1',
        reason:
          'chromium-common (source chromium): security support ended on 2024-01-23 (last supported version 120.0.6099.224-1~deb11u1): https://bugs.debian.org/cgi-bin/bugreport.cgi?bug=1061268',
        at: expect.stringMatching(/^debian-security-support\/trixie\/security-support\.deb11:\d+$/),
      },
    ]);
  });

  it('patterns match whole source names; limited entries; a binary without source name uses its own name', () => {
    const { packages } = hostEolStatus(
      host('debian', '11', [
        { ecosystem: 'Debian:11', name: 'golang-1.15-go', sourceName: 'golang-1.15', version: '1.15.15-1~deb11u4' },
        { ecosystem: 'Debian:11', name: 'binutils', version: '2.35.2-2' },
        { ecosystem: 'Debian:11', name: 'notgolang', version: '1' },
      ]),
      at('2025-01-01'),
    );
    expect(packages.map((p) => [p.name, p.status])).toEqual([
      ['golang-1.15-go', 'limited'],
      ['binutils', 'limited'],
    ]);
  });

  it('deb12 (bookworm lists): ended vs ending depends on now', () => {
    const pkgs = [{ ecosystem: 'Debian:12', name: 'suricata', sourceName: 'suricata', version: '1:6.0.10-1' }];
    expect(hostEolStatus(host('debian', '12.5', pkgs), at('2026-04-29')).packages[0]?.status).toBe('ending');
    const after = hostEolStatus(host('debian', '12.5', pkgs), at('2026-04-30')).packages[0];
    expect(after?.status).toBe('ended');
    expect(after?.reason).toMatch(/^suricata: security support ended on 2026-04-30 \(last supported version 1:6\.0\.10-1\)/);
  });

  it('deb13: a supported entry overrides a matching limited pattern', () => {
    const { packages } = hostEolStatus(
      host('debian', '13', [
        { ecosystem: 'Debian:13', name: 'sqv', sourceName: 'rust-sequoia-sqv', version: '1.3.0-3' },
        { ecosystem: 'Debian:13', name: 'librust-serde-dev', sourceName: 'rust-serde', version: '1.0.217-1' },
      ]),
      at('2026-01-10'),
    );
    expect(packages.map((p) => p.sourceName)).toEqual(['rust-serde']);
  });

  it("only the release's own Debian packages are looked up: pip's cython is not Debian's", () => {
    const pkgs = [
      { ecosystem: 'PyPI', name: 'cython', version: '0.29.21' },
      { ecosystem: 'npm', name: 'chromium', version: '1.0.0' },
      // A package of another release's ecosystem is not this release's to judge.
      { ecosystem: 'Debian:12', name: 'chromium', sourceName: 'chromium', version: '120.0.6099.224-1~deb12u1' },
    ];
    expect(hostEolStatus(host('debian', '11', pkgs), at('2025-01-01')).packages).toEqual([]);
    const debian = hostEolStatus(host('debian', '11', [...pkgs, { ecosystem: 'Debian:11', name: 'cython3', sourceName: 'cython', version: '0.29.21-3+b1' }]), at('2025-01-01'));
    expect(debian.packages.map((p) => [p.name, p.sourceName, p.status])).toEqual([['cython3', 'cython', 'ended']]);
  });

  it('no package lists for other distributions or Debian releases without one', () => {
    const pkgs = [{ ecosystem: 'Debian:11', name: 'chromium', version: '1' }];
    expect(hostEolStatus(host('ubuntu', '22.04', pkgs), at('2025-01-01')).packages).toEqual([]);
    expect(hostEolStatus(host('debian', '9', pkgs), at('2025-01-01')).packages).toEqual([]);
  });
});
