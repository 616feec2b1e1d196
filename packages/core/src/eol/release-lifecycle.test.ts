import { describe, expect, it } from 'vitest';
import { releaseLifecycle } from './release-lifecycle.js';

describe('releaseLifecycle (bundled data)', () => {
  it('Debian 10: standard end 2022-09-10, then LTS and ELTS', () => {
    const lc = releaseLifecycle('debian', '10');
    expect(lc?.label).toBe('Debian 10 (buster)');
    expect(lc?.supportEnd).toBe('2022-09-10');
    expect(lc?.extended.map((p) => [p.name, p.end, p.subscription])).toEqual([
      ['LTS', '2024-06-30', false],
      ['ELTS', '2029-06-30', true],
    ]);
    expect(lc?.source).toBe('distro-info/debian.csv');
  });

  it('maps point releases and old x.0 versions', () => {
    expect(releaseLifecycle('debian', '12.5')?.version).toBe('12');
    expect(releaseLifecycle('debian', '6')?.version).toBe('6.0');
    expect(releaseLifecycle('debian', '6.0.10')?.version).toBe('6.0');
    expect(releaseLifecycle('ubuntu', '22.04.3')?.version).toBe('22.04');
    expect(releaseLifecycle('alpine', '3.18.4')?.version).toBe('v3.18');
    expect(releaseLifecycle('rhel', '9.4')?.version).toBe('9');
    expect(releaseLifecycle(' Rocky ', '9.3')?.label).toBe('Rocky Linux 9');
  });

  it('Ubuntu 18.04: standard end 2023-05-31, ESM to 2028-04-26, Legacy to 2030-04-30', () => {
    const lc = releaseLifecycle('ubuntu', '18.04');
    expect(lc?.label).toBe('Ubuntu 18.04 LTS (bionic)');
    expect(lc?.supportEnd).toBe('2023-05-31');
    expect(lc?.extended.map((p) => `${p.name} ${p.end}`)).toEqual(['ESM 2028-04-26', 'Legacy 2030-04-30']);
  });

  it('Ubuntu 10.04: the later of desktop and server end is the standard end', () => {
    expect(releaseLifecycle('ubuntu', '10.04')?.supportEnd).toBe('2015-04-30');
  });

  it('AlmaLinux 8 (also spelled alma): active support to 2024-05-01, security to 2029-03-01', () => {
    const lc = releaseLifecycle('almalinux', '8.10');
    expect(lc).toMatchObject({ label: 'AlmaLinux 8', released: '2021-03-30', activeEnd: '2024-05-01', supportEnd: '2029-03-01', extended: [] });
    expect(releaseLifecycle('alma', '8')).toBe(lc);
  });

  it('RHEL 8 has ELS; redhat is an alias', () => {
    const lc = releaseLifecycle('redhat', '8');
    expect(lc).toMatchObject({ activeEnd: '2024-05-31', supportEnd: '2029-05-31' });
    expect(lc?.extended).toEqual([{ name: 'ELS', provider: 'Red Hat Extended Life-cycle Support add-on', subscription: true, end: '2032-05-31' }]);
  });

  it('Alpine branches end about two years after release', () => {
    expect(releaseLifecycle('alpine', '3.20.0')).toMatchObject({ released: '2024-05-22', supportEnd: '2026-04-01' });
  });

  it('is undefined for unknown distributions, releases and version shapes', () => {
    expect(releaseLifecycle('fedora', '40')).toBeUndefined();
    expect(releaseLifecycle('debian', '99')).toBeUndefined();
    expect(releaseLifecycle('debian', '')).toBeUndefined();
    expect(releaseLifecycle('ubuntu', '22')).toBeUndefined();
    expect(releaseLifecycle('alpine', 'edge')).toBeUndefined();
  });
});
