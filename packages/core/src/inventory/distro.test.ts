import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { distroOf, ecosystemForDistro, parseDistroQualifier, parseOsRelease } from './distro.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../test/fixtures/inventory/${name}`, import.meta.url), 'utf8');

describe('ecosystemForDistro', () => {
  it.each([
    ['debian', '12', 'Debian:12'],
    ['debian', '12.5', 'Debian:12'],
    ['ubuntu', '22.04', 'Ubuntu:22.04:LTS'],
    ['ubuntu', '24.04', 'Ubuntu:24.04:LTS'],
    ['ubuntu', '20.04.6', 'Ubuntu:20.04:LTS'],
    ['ubuntu', '23.10', 'Ubuntu:23.10'],
    ['ubuntu', '23.04', 'Ubuntu:23.04'],
    ['ubuntu', '22.10', 'Ubuntu:22.10'],
    ['almalinux', '9.4', 'AlmaLinux:9'],
    ['alma', '8.10', 'AlmaLinux:8'],
    ['rocky', '9.3', 'Rocky Linux:9'],
    ['rhel', '9.2', 'Red Hat:enterprise_linux:9'],
    ['redhat', '8.9', 'Red Hat:enterprise_linux:8'],
    ['alpine', '3.18.4', 'Alpine:v3.18'],
    ['alpine', '3.20', 'Alpine:v3.20'],
    ['wolfi', '', 'Wolfi'],
    ['wolfi', '20230201', 'Wolfi'],
    ['chainguard', '', 'Chainguard'],
    ['opensuse-leap', '15.5', 'openSUSE:Leap 15.5'],
    ['opensuse.leap', '15.6', 'openSUSE:Leap 15.6'],
    ['opensuse-tumbleweed', '20240801', 'openSUSE:Tumbleweed'],
    ['sles', '15.5', 'SUSE:Linux Enterprise Server 15 SP5'],
    ['sles', '15', 'SUSE:Linux Enterprise Server 15'],
    ['sles', '12.5', 'SUSE:Linux Enterprise Server 12 SP5'],
    ['suse linux enterprise server', '15.4', 'SUSE:Linux Enterprise Server 15 SP4'],
    ['sles_sap', '15.4', 'SUSE:Linux Enterprise Server for SAP Applications 15 SP4'],
    ['fedora', '39', 'Fedora:39'],
    ['mageia', '9', 'Mageia:9'],
    ['photon', '5.0', 'Photon OS:5.0'],
    ['Debian', ' 12 ', 'Debian:12'],
  ])('%s %s → %s', (id, version, expected) => {
    expect(ecosystemForDistro(id, version)).toBe(expected);
  });

  it('refuses distributions OSV has no ecosystem for, naming the id', () => {
    const e = caught(() => ecosystemForDistro('centos', '7'));
    expect(e.code).toBe('PW_ECOSYSTEM_UNKNOWN');
    expect(e.message).toContain('"centos"');
    expect(caught(() => ecosystemForDistro('', '')).code).toBe('PW_ECOSYSTEM_UNKNOWN');
  });

  it('refuses a missing or misshapen version for distributions with releases', () => {
    expect(caught(() => ecosystemForDistro('debian', '')).code).toBe('PW_INPUT_INVALID');
    expect(caught(() => ecosystemForDistro('ubuntu', '22')).message).toContain('YY.MM');
    expect(caught(() => ecosystemForDistro('alpine', 'edge')).code).toBe('PW_INPUT_INVALID');
    expect(caught(() => ecosystemForDistro('sles', '15-SP5')).code).toBe('PW_INPUT_INVALID');
  });

  it('refuses Debian testing and unstable (sid), which no numbered Debian ecosystem describes', () => {
    // os-release of Debian unstable as base-files ships it: no VERSION_ID, the next codename only.
    const sid = parseOsRelease('PRETTY_NAME="Debian GNU/Linux forky/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=forky\nID=debian\n');
    const e = caught(() => distroOf(sid.id, sid.versionId));
    expect(e.code).toBe('PW_INPUT_INVALID');
    expect(e.message).toMatch(/^debian: distribution "debian" has no version \(VERSION_ID\), as on Debian testing and unstable \(sid\); OSV's Debian ecosystems are numbered releases/);
    // Scanners' purl qualifiers for such hosts name no number either: no Debian release is guessed.
    for (const q of ['debian-sid', 'debian-trixie/sid', 'debian-unstable']) {
      const { id, versionId } = parseDistroQualifier(q);
      expect(caught(() => ecosystemForDistro(id, versionId)).code).toBe('PW_ECOSYSTEM_UNKNOWN');
    }
  });

  it('distroOf keeps the release it came from', () => {
    expect(distroOf('AlmaLinux', '9.4')).toEqual({ id: 'almalinux', versionId: '9.4', ecosystem: 'AlmaLinux:9' });
  });
});

describe('parseDistroQualifier', () => {
  it.each([
    ['debian-12.5', 'debian', '12.5'],
    ['almalinux-9.4', 'almalinux', '9.4'],
    ['alpine-3.18.4', 'alpine', '3.18.4'],
    ['ubuntu-22.04', 'ubuntu', '22.04'],
    ['rocky-9.3', 'rocky', '9.3'],
    ['rhel-9.2', 'rhel', '9.2'],
    ['opensuse-leap-15.5', 'opensuse-leap', '15.5'],
    ['sles-15.5', 'sles', '15.5'],
    ['fedora-39', 'fedora', '39'],
    ['wolfi', 'wolfi', ''],
    ['opensuse-tumbleweed', 'opensuse-tumbleweed', ''],
    ['3.18.4', '', '3.18.4'],
    ['suse linux enterprise server-15.5', 'suse linux enterprise server', '15.5'],
  ])('%s', (q, id, versionId) => {
    expect(parseDistroQualifier(q)).toEqual({ id, versionId });
  });

  it('round-trips through ecosystemForDistro', () => {
    const r = parseDistroQualifier('opensuse-leap-15.5');
    expect(ecosystemForDistro(r.id, r.versionId)).toBe('openSUSE:Leap 15.5');
  });
});

describe('parseOsRelease', () => {
  it('reads this Debian machine’s os-release', () => {
    const r = parseOsRelease(fixture('os-release-debian12'));
    expect(r).toMatchObject({ id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', versionCodename: 'bookworm' });
    expect(ecosystemForDistro(r.id, r.versionId)).toBe('Debian:12');
  });

  it('reads quoted values, ID_LIKE and comments', () => {
    const r = parseOsRelease(fixture('os-release-almalinux9'));
    expect(r.id).toBe('almalinux');
    expect(r.versionId).toBe('9.4');
    expect(r.idLike).toEqual(['rhel', 'centos', 'fedora']);
    expect(r.fields.CPE_NAME).toBe('cpe:/o:almalinux:almalinux:9::baseos');
  });

  it('handles CRLF, a BOM, escapes, single quotes and junk lines', () => {
    const text = '\ufeff# comment\r\nID=ubuntu\r\nVERSION_ID="22.04"\r\nNAME=\'Ubuntu\'\r\nPRETTY_NAME="say \\"hi\\""\r\nnot an assignment\r\n';
    const r = parseOsRelease(text);
    expect(r).toMatchObject({ id: 'ubuntu', versionId: '22.04', prettyName: 'say "hi"' });
    expect(r.fields.NAME).toBe('Ubuntu');
  });

  it('defaults ID to linux', () => {
    expect(parseOsRelease('').id).toBe('linux');
  });
});
