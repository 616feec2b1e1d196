import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './run-cli.js';

// Real Ubuntu and Rocky Linux OSV records (vunnel test fixtures, see ../shared/data/README.md).
const SAMPLES = resolve(REPO, '../shared/data/osv/samples');
const dir = mkdtempSync(join(tmpdir(), 'pw-distro-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Out {
  hosts: { host: string; findings: { advisory: string; package: string; installed: string; fixed: string | null }[] }[];
}

const scan = (ecosystem: string, advisories: string, inventory: string): Out =>
  JSON.parse(runCli(['scan', '--ecosystem', ecosystem, '--advisories', advisories, '--format', 'json', inventory]).stdout) as Out;

const pairs = (out: Out): string[] => out.hosts.flatMap((h) => h.findings.map((f) => `${f.advisory} ${f.package} ${f.installed} → ${f.fixed}`)).sort();

describe('distribution package databases against real distro advisories', () => {
  it('matches Ubuntu binaries by their source package and source version, fixed or not', () => {
    const status = join(dir, 'ubuntu-2204.status');
    writeFileSync(
      status,
      [
        'Package: libwayland-client0\nStatus: install ok installed\nArchitecture: amd64\nSource: wayland\nVersion: 1.20.0-1\n',
        'Package: libwayland-server0\nStatus: install ok installed\nArchitecture: amd64\nSource: wayland (1.20.0-1)\nVersion: 1.20.0-1\n',
        // Source version differs from the binary's (a binNMU): the source version is what advisories compare.
        'Package: libwayland-egl1\nStatus: install ok installed\nArchitecture: amd64\nSource: wayland (1.20.0-1)\nVersion: 1.20.0-1+b1\n',
        'Package: gitlab\nStatus: install ok installed\nArchitecture: amd64\nVersion: 8.5.7+dfsg-1\n',
        'Package: tpp\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 1.3.1-2\n',
      ].join('\n'),
    );
    expect(pairs(scan('Ubuntu:22.04:LTS', join(SAMPLES, 'ubuntu-osv'), status))).toEqual([
      'UBUNTU-CVE-2021-3782 wayland 1.20.0-1 → 1.20.0-1ubuntu0.1',
      'USN-5614-1 wayland 1.20.0-1 → 1.20.0-1ubuntu0.1',
    ]);
    // 16.04: UBUNTU-CVE-2026-1403 has no fix yet (introduced 0 only): still a finding, fixed null.
    expect(pairs(scan('Ubuntu:16.04:LTS', join(SAMPLES, 'ubuntu-osv'), status))).toEqual(['UBUNTU-CVE-2026-1403 gitlab 8.5.7+dfsg-1 → null']);
  });

  it('matches rpm binaries by their own name (Red Hat-family advisories list binaries), epoch 0 written or not', () => {
    const rpmqa = join(dir, 'rocky9.rpmqa');
    writeFileSync(
      rpmqa,
      [
        'ruby\t(none)\t3.3.0\t1.module+el9.4.0+20000+4c237fd3\tx86_64\truby-3.3.0-1.module+el9.4.0+20000+4c237fd3.src.rpm',
        // Built from the ruby source rpm, listed by its own name in the advisory.
        'rubygem-pg\t(none)\t1.5.4\t1.module+el9.4.0+20787+4c237fd3\tx86_64\truby-3.3.0-1.module+el9.4.0+20000+4c237fd3.src.rpm',
        'firefox\t(none)\t102.10.0\t1.el8_7\tx86_64\tfirefox-102.10.0-1.el8_7.src.rpm',
        'gpg-pubkey\t(none)\tb86b3716\t61e69f29\t(none)\t(none)',
      ].join('\n'),
    );
    expect(pairs(scan('Rocky Linux:9', join(SAMPLES, 'rocky-osv'), rpmqa))).toEqual([
      'RLSA-2024:3671 ruby 3.3.0-1.module+el9.4.0+20000+4c237fd3 → 0:3.3.1-2.module+el9.4.0+20787+4c237fd3',
    ]);
    expect(pairs(scan('Rocky Linux:8', join(SAMPLES, 'rocky-osv'), rpmqa))).toEqual(['RLSA-2023:3220 firefox 102.10.0-1.el8_7 → 0:102.11.0-2.el8_7']);
    // What the reader left out is said once, at the end, with counts by reason.
    const r = runCli(['scan', '--ecosystem', 'Rocky Linux:8', '--advisories', join(SAMPLES, 'rocky-osv'), rpmqa]);
    expect(r.stderr).toBe('patchwise: note: inventory entries left out, by reason: rpm gpg-pubkey (signing key, not software) (1)\n');
  });
});
