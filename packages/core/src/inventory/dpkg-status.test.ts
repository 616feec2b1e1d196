import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { dpkgPackagesOf, parseDpkgStanzas, parseDpkgStatus, parseSourceField } from './dpkg-status.js';

const fixture = readFileSync(new URL('../../test/fixtures/inventory/dpkg-status-debian12', import.meta.url), 'utf8');

function malformedMessage(text: string): string {
  const { code, message } = caught(() => parseDpkgStatus(text, 'status'));
  expect(code).toBe('PW_INPUT_MALFORMED');
  return message;
}

describe('parseDpkgStatus', () => {
  it('reads a real Debian 12 status excerpt', () => {
    const { packages, skipped } = parseDpkgStatus(fixture, 'status');
    expect(packages).toHaveLength(37);
    expect(skipped).toEqual([]);
    const byName = new Map(packages.map((p) => [p.name, p]));
    // Source without a version: same version as the binary.
    expect(byName.get('libc6')).toEqual({
      name: 'libc6', version: '2.36-9+deb12u14', sourceName: 'glibc', sourceVersion: '2.36-9+deb12u14', arch: 'amd64',
    });
    // Source with its own version (binNMU `+b8`).
    expect(byName.get('bash')).toMatchObject({ version: '5.2.15-2+b8', sourceName: 'bash', sourceVersion: '5.2.15-2' });
    // The binary has an epoch the source does not.
    expect(byName.get('bsdutils')).toMatchObject({ version: '1:2.38.1-5+deb12u3', sourceName: 'util-linux', sourceVersion: '2.38.1-5+deb12u3' });
    expect(byName.get('libdevmapper1.02.1')).toMatchObject({ version: '2:1.02.185-2', sourceName: 'lvm2', sourceVersion: '2.03.16-2' });
    // No Source field: the package is its own source.
    expect(byName.get('coreutils')).toMatchObject({ sourceName: 'coreutils', sourceVersion: '9.1-1' });
    expect(byName.get('adduser')?.arch).toBe('all');
  });

  it('keeps every package whose files are on disk, and counts the others by state', () => {
    const text = [
      'Package: held\nStatus: hold ok installed\nVersion: 1.0-1\nArchitecture: amd64',
      'Package: leaving\nStatus: deinstall ok installed\nVersion: 2.0-1',
      'Package: removed\nStatus: deinstall ok config-files\nVersion: 3.0-1',
      'Package: removed2\nStatus: deinstall ok config-files\nVersion: 3.1-1',
      // An interrupted apt run leaves these; their (vulnerable) files are on disk.
      'Package: broken\nStatus: install reinstreq half-installed\nVersion: 4.0-1',
      'Package: pending\nStatus: install ok triggers-pending\nVersion: 5.0-1',
      'Package: awaited\nStatus: install ok triggers-awaited\nVersion: 5.1-1',
      'Package: unpacked\nStatus: install ok unpacked\nVersion: 5.2-1',
      'Package: halfconf\nStatus: install ok half-configured\nVersion: 5.3-1',
      'Package: purged\nStatus: purge ok not-installed',
      'Package: nostatus\nVersion: 6.0-1',
    ].join('\n\n');
    const { packages, skipped } = parseDpkgStatus(text, 'status');
    expect(packages.map((p) => `${p.name} ${p.version}`)).toEqual(['held 1.0-1', 'leaving 2.0-1', 'broken 4.0-1', 'pending 5.0-1', 'awaited 5.1-1', 'unpacked 5.2-1', 'halfconf 5.3-1']);
    expect(skipped).toEqual([
      { reason: 'dpkg state config-files', count: 2 },
      { reason: 'dpkg state not-installed', count: 1 },
      { reason: 'dpkg stanza without Status', count: 1 },
    ]);
    expect(malformedMessage('Package: u\nStatus: install ok unpacked\n')).toContain('line 1: unpacked package u has no Version');
  });

  it('reads stanzas without Status as installed when told to (distroless status.d files)', () => {
    const stanzas = parseDpkgStanzas('Package: libc6\nVersion: 2.36-9\nSource: glibc\nArchitecture: amd64\n', 'status.d/libc6');
    expect(dpkgPackagesOf(stanzas).packages).toEqual([]);
    expect(dpkgPackagesOf(stanzas, { assumeInstalled: true }).packages).toEqual([
      { name: 'libc6', version: '2.36-9', sourceName: 'glibc', sourceVersion: '2.36-9', arch: 'amd64' },
    ]);
  });

  it('accepts CRLF line endings, a BOM, several blank lines and lower-case field names', () => {
    const text = '\ufeffpackage: a\r\nstatus: install ok installed\r\nversion: 1.0\r\nDescription: x\r\n more\r\n\r\n\r\n\r\nPackage: b\r\nStatus: install ok installed\r\nVersion: 2.0\r\nSource: src-b (1.9)\r\n';
    const { packages } = parseDpkgStatus(text, 'status');
    expect(packages).toEqual([
      { name: 'a', version: '1.0', sourceName: 'a', sourceVersion: '1.0', arch: undefined },
      { name: 'b', version: '2.0', sourceName: 'src-b', sourceVersion: '1.9', arch: undefined },
    ]);
  });

  it('returns nothing for an empty file', () => {
    expect(parseDpkgStatus('', 'status')).toEqual({ packages: [], skipped: [] });
    expect(parseDpkgStatus('\n\n', 'status').packages).toEqual([]);
  });

  it('rejects malformed input naming the line', () => {
    expect(malformedMessage('Package: a\nStatus: install ok installed\nVersion: 1\nthis is not a field\n')).toBe('status: line 4: expected "Field: value"');
    expect(malformedMessage('\n continuation first\n')).toContain('line 2: continuation line outside a stanza');
    expect(malformedMessage('Status: install ok installed\nVersion: 1\n')).toContain('line 1: stanza has no Package field');
    expect(malformedMessage('Package: a\nStatus: install ok installed\n')).toContain('line 1: installed package a has no Version');
    expect(malformedMessage('Package: a\nVersion:\n 1.0\n')).toContain('line 3: field Version cannot span lines');
  });
});

describe('parseSourceField', () => {
  it('reads the name and optional version', () => {
    expect(parseSourceField(undefined, 'bin', '1')).toEqual(['bin', '1']);
    expect(parseSourceField('glibc', 'libc6', '2.36-9')).toEqual(['glibc', '2.36-9']);
    expect(parseSourceField('gcc-defaults (1.203)', 'cpp', '4:12.2.0-3')).toEqual(['gcc-defaults', '1.203']);
    expect(parseSourceField('shadow ( 1:4.13+dfsg1-1 )', 'login', '1:4.13+dfsg1-1+b1')).toEqual(['shadow', '1:4.13+dfsg1-1']);
  });
});
