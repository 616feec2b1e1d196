import { describe, expect, it } from 'vitest';
import { dpkgUpdateNames, replayDpkgUpdates } from './dpkg-journal.js';
import { dpkgPackagesOf, parseDpkgStanzas } from './dpkg-status.js';

const stanza = (name: string, version: string, state = 'installed', extra = '') => `Package: ${name}\nStatus: install ok ${state}\nArchitecture: amd64\nVersion: ${version}\n${extra}`;

describe('dpkgUpdateNames', () => {
  it('keeps numbered entries in numeric order and leaves out the file being written', () => {
    expect(dpkgUpdateNames(['0010', 'tmp.i', '0002', '0001', '9', '.hidden'])).toEqual(['0001', '0002', '9', '0010']);
  });
});

describe('replayDpkgUpdates', () => {
  it('replaces records in journal order, keeps status order, adds new installs, and drops removed ones', () => {
    const status = parseDpkgStanzas([stanza('openssl', '3.0.11-1~deb12u1'), stanza('bash', '5.2.15-2'), stanza('curl', '7.88.1-10')].join('\n'), 'status');
    const updates = [
      // An upgrade unpacked, then configured: the later entry wins.
      parseDpkgStanzas(stanza('openssl', '3.0.11-1~deb12u2', 'unpacked'), 'updates/0000'),
      parseDpkgStanzas(stanza('openssl', '3.0.11-1~deb12u2'), 'updates/0001'),
      parseDpkgStanzas(stanza('jq', '1.6-2.1'), 'updates/0002'),
      parseDpkgStanzas('Package: curl\nStatus: purge ok not-installed\n', 'updates/0003'),
    ];
    const { packages, skipped } = dpkgPackagesOf(replayDpkgUpdates(status, updates));
    expect(packages.map((p) => `${p.name} ${p.version}`)).toEqual(['openssl 3.0.11-1~deb12u2', 'bash 5.2.15-2', 'jq 1.6-2.1']);
    expect(skipped).toEqual([{ reason: 'dpkg state not-installed', count: 1 }]);
  });

  it('tells Multi-Arch: same instances apart by architecture', () => {
    const same = 'Multi-Arch: same\n';
    const status = parseDpkgStanzas(`${stanza('libc6', '2.36-9', 'installed', same)}\n${stanza('libc6', '2.36-9', 'installed', same).replace('amd64', 'i386')}`, 'status');
    const updates = [parseDpkgStanzas(stanza('libc6', '2.36-9+deb12u4', 'installed', same).replace('amd64', 'i386'), 'updates/0000')];
    expect(dpkgPackagesOf(replayDpkgUpdates(status, updates)).packages.map((p) => `${p.name}:${p.arch} ${p.version}`)).toEqual([
      'libc6:amd64 2.36-9',
      'libc6:i386 2.36-9+deb12u4',
    ]);
  });
});
