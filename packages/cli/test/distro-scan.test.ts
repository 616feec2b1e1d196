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

  it('matches Rocky Linux binaries by their source rpm (RLSA records name source rpms), by their own name without one', () => {
    const rpmqa = join(dir, 'rocky9.rpmqa');
    writeFileSync(
      rpmqa,
      [
        'ruby\t(none)\t3.3.0\t1.module+el9.4.0+20000+4c237fd3\tx86_64\truby-3.3.0-1.module+el9.4.0+20000+4c237fd3.src.rpm',
        // Another binary of the ruby source rpm: one finding with ruby, under the source's name.
        'ruby-libs\t(none)\t3.3.0\t1.module+el9.4.0+20000+4c237fd3\tx86_64\truby-3.3.0-1.module+el9.4.0+20000+4c237fd3.src.rpm',
        // Its own source rpm in the module, already at the fix.
        'rubygem-pg\t(none)\t1.5.4\t1.module+el9.4.0+20787+4c237fd3\tx86_64\trubygem-pg-1.5.4-1.module+el9.4.0+20787+4c237fd3.src.rpm',
        'firefox\t(none)\t102.10.0\t1.el8_7\tx86_64\tfirefox-102.10.0-1.el8_7.src.rpm',
        // Only the headless binary of java-11-openjdk is installed (servers): RLSA-2021:3891 names the source.
        'java-11-openjdk-headless\t1\t11.0.12.0.7\t0.el8_4\tx86_64\tjava-11-openjdk-11.0.12.0.7-0.el8_4.src.rpm',
        'gpg-pubkey\t(none)\tb86b3716\t61e69f29\t(none)\t(none)',
      ].join('\n'),
    );
    expect(pairs(scan('Rocky Linux:9', join(SAMPLES, 'rocky-osv'), rpmqa))).toEqual([
      'RLSA-2024:3671 ruby 3.3.0-1.module+el9.4.0+20000+4c237fd3 → 0:3.3.1-2.module+el9.4.0+20787+4c237fd3',
    ]);
    expect(pairs(scan('Rocky Linux:8', join(SAMPLES, 'rocky-osv'), rpmqa))).toEqual([
      'RLSA-2021:3891 java-11-openjdk 1:11.0.12.0.7-0.el8_4 → 1:11.0.13.0.8-1.el8_4',
      'RLSA-2023:3220 firefox 102.10.0-1.el8_7 → 0:102.11.0-2.el8_7',
    ]);
    // Without a source (a hand-written Patchwise inventory), the binary's own name is matched.
    const own = join(dir, 'rocky8.json');
    writeFileSync(
      own,
      JSON.stringify({
        format: 'patchwise-inventory',
        version: 1,
        host: { name: 'r8', os: { id: 'rocky', versionId: '8.4' } },
        packages: [
          { name: 'java-11-openjdk-headless', version: '1:11.0.12.0.7-0.el8_4' },
          { name: 'java-11-openjdk', version: '1:11.0.12.0.7-0.el8_4' },
        ],
      }),
    );
    expect(pairs(scan('Rocky Linux:8', join(SAMPLES, 'rocky-osv'), own))).toEqual(['RLSA-2021:3891 java-11-openjdk 1:11.0.12.0.7-0.el8_4 → 1:11.0.13.0.8-1.el8_4']);
    // What the reader left out is said once, at the end, with counts by reason.
    const r = runCli(['scan', '--ecosystem', 'Rocky Linux:8', '--advisories', join(SAMPLES, 'rocky-osv'), rpmqa]);
    expect(r.stderr).toBe('patchwise: note: inventory entries left out, by reason: rpm gpg-pubkey (signing key, not software) (1)\n');
  });

  it("matches a Trivy SBOM's rpm by its SrcName for Rocky Linux", () => {
    const sbom = join(dir, 'rocky8.cdx.json');
    const trivyRpm = (name: string, version: string, release: string, src?: [string, string, string]) => ({
      type: 'library',
      name,
      purl: `pkg:rpm/rocky/${name}@${version}-${release}?arch=x86_64&epoch=1&distro=rocky-8.4`,
      ...(src && {
        properties: [
          { name: 'aquasecurity:trivy:SrcName', value: src[0] },
          { name: 'aquasecurity:trivy:SrcVersion', value: src[1] },
          { name: 'aquasecurity:trivy:SrcRelease', value: src[2] },
          { name: 'aquasecurity:trivy:SrcEpoch', value: '1' },
        ],
      }),
    });
    writeFileSync(
      sbom,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        metadata: { component: { type: 'container', name: 'rocky8-image' } },
        components: [
          { type: 'operating-system', name: 'rocky', version: '8.4' },
          trivyRpm('java-11-openjdk-headless', '11.0.12.0.7', '0.el8_4', ['java-11-openjdk', '11.0.12.0.7', '0.el8_4']),
        ],
      }),
    );
    expect(pairs(scan('Rocky Linux:8', join(SAMPLES, 'rocky-osv'), sbom))).toEqual(['RLSA-2021:3891 java-11-openjdk 1:11.0.12.0.7-0.el8_4 → 1:11.0.13.0.8-1.el8_4']);
  });

  it('applies Ubuntu Pro records to hosts of their release, saying the fix needs Pro', () => {
    const status = join(dir, 'ubuntu-1604.status');
    writeFileSync(
      status,
      [
        'Package: libnetty-java\nStatus: install ok installed\nArchitecture: all\nSource: netty\nVersion: 1:4.0.34-1\n',
        'Package: unzip\nStatus: install ok installed\nArchitecture: amd64\nVersion: 6.0-20ubuntu1\n',
      ].join('\n'),
    );
    const out = JSON.parse(
      runCli(['scan', '--ecosystem', 'Ubuntu:16.04:LTS', '--advisories', join(SAMPLES, 'ubuntu-osv-esm-cases'), '--format', 'json', status]).stdout,
    ) as { hosts: { findings: { advisory: string; package: string; fixed: string; reasons: string[] }[] }[] };
    const findings = out.hosts.flatMap((h) => h.findings);
    expect(findings.map((f) => `${f.advisory} ${f.package} → ${f.fixed}`).sort()).toEqual([
      'UBUNTU-CVE-2014-9913 unzip → 6.0-20ubuntu1.1',
      'UBUNTU-CVE-2022-24823 netty → 1:4.0.34-1ubuntu0.1~esm2',
    ]);
    expect(findings.find((f) => f.package === 'netty')?.reasons).toContain(
      'fix published for Ubuntu Pro (Ubuntu:Pro:16.04:LTS): installing it needs a Pro subscription',
    );
    expect(findings.find((f) => f.package === 'unzip')?.reasons.join()).not.toContain('Ubuntu Pro');
  });
});
