import { describe, expect, it } from 'vitest';
import { fixesOfTargets, patchSetFromFindings, type FixableFinding } from './patch-set.js';

const f = (hostId: string, advisory: string, pkg: string, fixed: string | null, priority: FixableFinding['priority'] = 'P3', ecosystem: string | null = 'AlmaLinux:9'): FixableFinding => ({ hostId, advisory, ecosystem, package: pkg, fixed, priority });

describe('patch sets', () => {
  it('targets the highest fixed version per package in the ecosystem’s own order, and counts hosts per fix', () => {
    const { targets, fixes, unfixable } = patchSetFromFindings([
      f('h1', 'ALSA-1', 'openssl', '1:3.0.7-18.el9_2', 'P2'),
      f('h2', 'ALSA-1', 'openssl', '1:3.0.7-18.el9_2', 'P1'),
      // 3.0.7-100 sorts after 3.0.7-18 numerically, before it as text: rpm order must win.
      f('h1', 'ALSA-2', 'openssl', '1:3.0.7-100.el9_2', 'P3'),
      f('h1', 'ALSA-3', 'curl', '7.76.1-30.el9'),
      f('h3', 'ALSA-4', 'kernel', null, 'P1'),
    ]);
    expect(targets).toEqual([
      { ecosystem: 'AlmaLinux:9', package: 'curl', version: '7.76.1-30.el9' },
      { ecosystem: 'AlmaLinux:9', package: 'openssl', version: '1:3.0.7-100.el9_2' },
    ]);
    expect(fixes).toEqual([
      { advisory: 'ALSA-1', ecosystem: 'AlmaLinux:9', package: 'openssl', priority: 'P1', hosts: 2 },
      { advisory: 'ALSA-3', ecosystem: 'AlmaLinux:9', package: 'curl', priority: 'P3', hosts: 1 },
      { advisory: 'ALSA-2', ecosystem: 'AlmaLinux:9', package: 'openssl', priority: 'P3', hosts: 1 },
    ]);
    expect(unfixable.map((u) => u.advisory)).toEqual(['ALSA-4']);
  });

  it('says what hand-written targets fix: findings whose fix is at or below the target', () => {
    const findings = [f('h1', 'DSA-1', 'openssl', '3.0.11-1~deb12u1', 'P2', 'Debian:12'), f('h1', 'DSA-2', 'openssl', '3.0.13-1~deb12u1', 'P1', 'Debian:12'), f('h2', 'DSA-3', 'curl', '7.88.1-10+deb12u5', 'P3', 'Debian:12')];
    expect(fixesOfTargets([{ ecosystem: 'Debian:12', package: 'openssl', version: '3.0.11-1~deb12u2' }], findings).map((x) => x.advisory)).toEqual(['DSA-1']);
    expect(() => fixesOfTargets([{ ecosystem: 'Debian:12', package: 'openssl', version: 'not a version!' }], findings)).toThrow(expect.objectContaining({ code: 'PW_VERSION_INVALID' }));
    expect(() => fixesOfTargets([{ ecosystem: 'Debian:12', package: 'a', version: '1' }, { ecosystem: 'Debian:12', package: 'a', version: '2' }], findings)).toThrow(/Debian:12 a appears twice/);
  });
});
