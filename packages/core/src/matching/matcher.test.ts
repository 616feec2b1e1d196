import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseOsvRecord, type Advisory, type AffectedRange } from '../advisories/index.js';
import { parseInventory, type HostInventory } from '../inventory/index.js';
import { FleetAssessment, Matcher, assessHost, findingsOf, type HostAssessment } from './index.js';

function advisory(id: string, ecosystem: string, name: string, ranges: AffectedRange[], versions: string[] = []): Advisory {
  return {
    id,
    aliases: [],
    related: [],
    cves: [],
    type: 'security',
    summary: id,
    cvss: [],
    affected: [{ ecosystem, name, ranges, versions }],
    source: `${id}.json`,
  };
}

const eco = (events: AffectedRange['events']): AffectedRange[] => [{ type: 'ECOSYSTEM', events }];

function matchIds(m: Matcher, ecosystem: string, name: string, version: string): string[] {
  return m.match(ecosystem, name, version).map((x) => `${x.advisory.id}${x.fixed ? `>${x.fixed}` : ''}`);
}

describe('OSV range semantics', () => {
  it('introduced/fixed: affected from introduced up to (not including) fixed', () => {
    const m = new Matcher([advisory('A', 'AlmaLinux:9', 'openssl', eco([{ introduced: '0' }, { fixed: '1:3.0.7-27.el9' }]))]);
    expect(matchIds(m, 'AlmaLinux:9', 'openssl', '1:3.0.7-25.el9')).toEqual(['A>1:3.0.7-27.el9']);
    expect(matchIds(m, 'AlmaLinux:9', 'openssl', '3.0.7-30.el9')).toEqual(['A>1:3.0.7-27.el9']); // epoch 0 < 1
    expect(matchIds(m, 'AlmaLinux:9', 'openssl', '1:3.0.7-27.el9')).toEqual([]);
    expect(matchIds(m, 'AlmaLinux:9', 'openssl', '1:3.0.7-27.el9_4')).toEqual([]);
    expect(matchIds(m, 'AlmaLinux:8', 'openssl', '1:3.0.7-25.el9')).toEqual([]); // other release
    expect(matchIds(m, 'AlmaLinux:9', 'openssl-libs', '1:3.0.7-25.el9')).toEqual([]);
  });

  it('several introduced/fixed pairs, given out of order, and the nearest fix above', () => {
    const m = new Matcher([
      advisory('B', 'npm', 'lodash', eco([{ fixed: '4.17.21' }, { introduced: '4.0.0' }, { fixed: '3.10.2' }, { introduced: '3.0.0' }])),
    ]);
    expect(matchIds(m, 'npm', 'lodash', '2.9.9')).toEqual([]);
    expect(matchIds(m, 'npm', 'lodash', '3.5.0')).toEqual(['B>3.10.2']);
    expect(matchIds(m, 'npm', 'lodash', '3.10.2')).toEqual([]);
    expect(matchIds(m, 'npm', 'lodash', '3.99.0')).toEqual([]);
    expect(matchIds(m, 'npm', 'lodash', '4.17.20')).toEqual(['B>4.17.21']);
    expect(matchIds(m, 'npm', 'lodash', '4.17.21')).toEqual([]);
  });

  it('last_affected includes its own version; limit caps the range', () => {
    const m = new Matcher([
      advisory('C', 'PyPI', 'pkg', eco([{ introduced: '1.0' }, { last_affected: '1.4' }])),
      advisory('D', 'PyPI', 'other', eco([{ introduced: '0' }, { limit: '2.0' }])),
    ]);
    expect(matchIds(m, 'PyPI', 'pkg', '0.9')).toEqual([]);
    expect(matchIds(m, 'PyPI', 'pkg', '1.0')).toEqual(['C']);
    expect(matchIds(m, 'PyPI', 'pkg', '1.4')).toEqual(['C']);
    expect(matchIds(m, 'PyPI', 'pkg', '1.4.post1')).toEqual([]);
    expect(matchIds(m, 'PyPI', 'other', '1.9')).toEqual(['D']);
    expect(matchIds(m, 'PyPI', 'other', '2.0')).toEqual([]);
  });

  it('enumerated versions match by version equality in the scheme (1.0 == 1.0.0 in PEP 440)', () => {
    const m = new Matcher([advisory('E', 'PyPI', 'zstd', [], ['1.0.0', '1.3.4'])]);
    expect(matchIds(m, 'PyPI', 'zstd', '1.0')).toEqual(['E']);
    expect(matchIds(m, 'PyPI', 'zstd', '1.3.4')).toEqual(['E']);
    expect(matchIds(m, 'PyPI', 'zstd', '1.3.5')).toEqual([]);
  });

  it('an introduction and a fix at the same version leave it unaffected', () => {
    const m = new Matcher([advisory('F', 'npm', 'x', eco([{ introduced: '1.0.0' }, { fixed: '1.0.0' }]))]);
    expect(matchIds(m, 'npm', 'x', '1.0.0')).toEqual([]);
  });

  it('keeps the record order for events at one version: "fixed X, introduced X" reopens, "introduced X, fixed X" is empty', () => {
    const m = new Matcher([
      advisory('R', 'npm', 'r', eco([{ introduced: '0' }, { fixed: '1.0.0' }, { introduced: '1.0.0' }, { fixed: '2.0.0' }])),
      advisory('S', 'npm', 's', eco([{ introduced: '1.0.0' }, { fixed: '1.0.0' }])),
    ]);
    expect(matchIds(m, 'npm', 'r', '0.5.0')).toEqual(['R>1.0.0']);
    expect(matchIds(m, 'npm', 'r', '1.0.0')).toEqual(['R>2.0.0']);
    expect(matchIds(m, 'npm', 'r', '1.5.0')).toEqual(['R>2.0.0']);
    expect(matchIds(m, 'npm', 'r', '2.0.0')).toEqual([]);
    expect(matchIds(m, 'npm', 's', '1.0.0')).toEqual([]);
  });

  it('finds the fix across overlapping ranges, and the nearest fix across ranges and entries', () => {
    // PYSEC-2021-114 (wagtail) shape: two introductions before the first fix.
    const m = new Matcher([
      advisory('W', 'PyPI', 'wagtail', eco([{ introduced: '2.11' }, { fixed: '2.11.7' }, { introduced: '0' }, { fixed: '2.11.6' }])),
      {
        ...advisory('M', 'AlmaLinux:8', 'php', eco([{ introduced: '0' }, { fixed: '8.0-3.module_el8+300' }])),
        affected: [
          { ecosystem: 'AlmaLinux:8', name: 'php', ranges: eco([{ introduced: '0' }, { fixed: '8.0-3.module_el8+300' }]), versions: [] },
          { ecosystem: 'AlmaLinux:8', name: 'php', ranges: eco([{ introduced: '0' }, { fixed: '8.0-3.module_el8+200' }]), versions: [] },
        ],
      },
      advisory('T', 'npm', 't', [
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.0' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '1.2.0' }] },
      ]),
    ]);
    expect(matchIds(m, 'PyPI', 'wagtail', '1.8rc1')).toEqual(['W>2.11.6']);
    expect(matchIds(m, 'AlmaLinux:8', 'php', '8.0-2.module_el8+100')).toEqual(['M>8.0-3.module_el8+200']);
    expect(matchIds(m, 'npm', 't', '1.1.0')).toEqual(['T>1.2.0']);
    expect(matchIds(m, 'npm', 't', '1.2.0')).toEqual(['T>3.0.0']);
  });

  it('ignores invalid enumerated versions but keeps the advisory, and says so', () => {
    const m = new Matcher([advisory('P', 'PyPI', 'mailman', eco([{ introduced: '0' }, { fixed: '3.3.5' }]), ['3.0.0b3-', '2.1'])]);
    expect(matchIds(m, 'PyPI', 'mailman', '3.0.3')).toEqual(['P>3.3.5']);
    expect(m.advisoryProblems.get('P')?.message).toBe('P.json: advisory P, package mailman (PyPI): enumerated versions "3.0.0b3-" were ignored');
  });

  it('compares ecosystems ignoring case, as they are looked up', () => {
    const m = new Matcher([advisory('U', 'Ubuntu:22.04:LTS', 'wayland', eco([{ introduced: '0' }, { fixed: '1.20.0-1ubuntu0.1' }]))]);
    expect(matchIds(m, 'ubuntu:22.04:lts', 'wayland', '1.20.0-1')).toEqual(['U>1.20.0-1ubuntu0.1']);
    expect(matchIds(m, 'ubuntu:20.04:lts', 'wayland', '1.20.0-1')).toEqual([]);
  });

  it('decides Maven ranges in Maven\'s order (a release candidate before its release, .Final equal to it)', () => {
    const m = new Matcher([advisory('L', 'Maven', 'org.apache.logging.log4j:log4j-core', eco([{ introduced: '2.13.0' }, { fixed: '2.15.0' }]))]);
    const at = (v: string) => matchIds(m, 'Maven', 'org.apache.logging.log4j:log4j-core', v);
    expect(at('2.14.1')).toEqual(['L>2.15.0']);
    expect(at('2.15.0-rc1')).toEqual(['L>2.15.0']);
    expect(at('2.15.0.Final')).toEqual([]);
    expect(at('2.15.0-sp1')).toEqual([]);
    expect(at('2.13.0-beta1')).toEqual([]);
  });

  it('an advisory for a bare ecosystem applies to every release', () => {
    const m = new Matcher([advisory('G', 'Debian', 'openssl', eco([{ introduced: '0' }, { fixed: '3.0.11-1~deb12u1' }]))]);
    expect(matchIds(m, 'Debian:12', 'openssl', '3.0.9-1')).toEqual(['G>3.0.11-1~deb12u1']);
  });

  it('applies narrower ecosystems below the host\'s (RHEL repositories) once per advisory', () => {
    const m = new Matcher([
      {
        ...advisory('RHSA-1', 'Red Hat:enterprise_linux:9::baseos', 'openssl', eco([{ introduced: '0' }, { fixed: '1:3.0.7-27.el9' }])),
        affected: ['baseos', 'appstream'].map((repo) => ({
          ecosystem: `Red Hat:enterprise_linux:9::${repo}`,
          name: 'openssl',
          ranges: eco([{ introduced: '0' }, { fixed: '1:3.0.7-27.el9' }]),
          versions: [],
        })),
      },
      advisory('RHSA-2', 'Red Hat:enterprise_linux:8::baseos', 'openssl', eco([{ introduced: '0' }, { fixed: '1:9.0-1.el8' }])),
    ]);
    expect(matchIds(m, 'Red Hat:enterprise_linux:9', 'openssl', '1:3.0.7-25.el9')).toEqual(['RHSA-1>1:3.0.7-27.el9']);
    expect(matchIds(m, 'Red Hat:enterprise_linux:90', 'openssl', '1:3.0.7-25.el9')).toEqual([]);
  });

  it('throws PW_VERSION_INVALID for an invalid installed version, and reports invalid advisory versions', () => {
    const m = new Matcher([
      advisory('H', 'npm', 'y', eco([{ introduced: '0' }, { fixed: '1.0.0' }])),
      advisory('I', 'npm', 'y', eco([{ introduced: '0' }, { fixed: 'not-a-version' }])),
    ]);
    expect(() => m.match('npm', 'y', 'garbage!')).toThrow(expect.objectContaining({ code: 'PW_VERSION_INVALID' }));
    expect(matchIds(m, 'npm', 'y', '0.5.0')).toEqual(['H>1.0.0']);
    expect(m.advisoryProblems.get('I')?.message).toMatch(/^I\.json: advisory I, package y \(npm\): a range was left out \(.*not-a-version/);
  });
});

// Real Ubuntu OSV records with Pro (ESM) entries (anchore/vunnel test fixtures, Apache-2.0; see ../shared/data/README.md).
const ESM = fileURLToPath(new URL('../../../../../shared/data/osv/samples/ubuntu-osv-esm-cases/cve/', import.meta.url));
const esmRecord = (path: string): Advisory => parseOsvRecord(JSON.parse(readFileSync(ESM + path, 'utf8')), path).advisory;

describe.skipIf(!existsSync(ESM))('Ubuntu Pro (ESM) records', () => {
  const netty = () => esmRecord('2022/UBUNTU-CVE-2022-24823.json');
  const unzip = () => esmRecord('2014/UBUNTU-CVE-2014-9913.json');

  it("apply to hosts of the Pro stream's release, below the Pro fix in dpkg order", () => {
    const m = new Matcher([netty(), unzip()]);
    expect(matchIds(m, 'Ubuntu:16.04:LTS', 'netty', '1:4.0.34-1')).toEqual(['UBUNTU-CVE-2022-24823>1:4.0.34-1ubuntu0.1~esm2']);
    expect(matchIds(m, 'Ubuntu:16.04:LTS', 'netty', '1:4.0.34-1ubuntu0.1~esm2')).toEqual([]);
    // Each release gets its own stream's fix, never another release's.
    expect(matchIds(m, 'Ubuntu:22.04:LTS', 'netty', '1:4.1.48-4')).toEqual(['UBUNTU-CVE-2022-24823>1:4.1.48-4+deb11u2ubuntu0.1~esm1']);
    expect(matchIds(m, 'Ubuntu:14.04:LTS', 'unzip', '6.0-9ubuntu1.5')).toEqual(['UBUNTU-CVE-2014-9913>6.0-9ubuntu1.6']);
    expect(matchIds(m, 'Ubuntu:18.04:LTS', 'unzip', '6.0-9ubuntu1.5')).toEqual([]);
  });

  it('say that the fix comes from Ubuntu Pro, and only for Pro fixes', () => {
    const m = new Matcher([netty(), unzip()]);
    expect(m.match('Ubuntu:16.04:LTS', 'netty', '1:4.0.34-1')[0]?.note).toBe(
      'fix published for Ubuntu Pro (Ubuntu:Pro:16.04:LTS): installing it needs a Pro subscription',
    );
    expect(m.match('Ubuntu:16.04:LTS', 'unzip', '6.0-20ubuntu1')[0]?.note).toBeUndefined();
  });

  it('leave the standard records of the release to a package marked with the Pro ecosystem', () => {
    const m = new Matcher([netty(), unzip()]);
    expect(matchIds(m, 'Ubuntu:Pro:16.04:LTS', 'unzip', '6.0-20ubuntu1')).toEqual(['UBUNTU-CVE-2014-9913>6.0-20ubuntu1.1']);
    expect(matchIds(m, 'Ubuntu:Pro:16.04:LTS', 'netty', '1:4.0.34-1')).toEqual(['UBUNTU-CVE-2022-24823>1:4.0.34-1ubuntu0.1~esm2']);
  });

  it('keep FIPS builds to packages marked FIPS, which still get the standard and Pro records', () => {
    const fips = advisory('FIPS-1', 'Ubuntu:Pro:FIPS:16.04:LTS', 'unzip', eco([{ introduced: '0' }, { fixed: '6.0-20ubuntu1.1fips1' }]));
    const m = new Matcher([fips, unzip()]);
    expect(matchIds(m, 'Ubuntu:16.04:LTS', 'unzip', '6.0-20ubuntu1')).toEqual(['UBUNTU-CVE-2014-9913>6.0-20ubuntu1.1']);
    expect(matchIds(m, 'Ubuntu:Pro:FIPS:16.04:LTS', 'unzip', '6.0-20ubuntu1')).toEqual(['UBUNTU-CVE-2014-9913>6.0-20ubuntu1.1', 'FIPS-1>6.0-20ubuntu1.1fips1']);
  });
});

describe('Matcher memo and incremental updates', () => {
  it('evaluates each distinct (ecosystem, name, version) once', () => {
    const m = new Matcher([advisory('A', 'npm', 'a', eco([{ introduced: '0' }, { fixed: '2.0.0' }]))]);
    for (let i = 0; i < 100; i++) m.match('npm', 'a', '1.0.0');
    m.match('npm', 'a', '1.5.0');
    m.match('npm', 'unknown', '1.0.0');
    expect(m.stats).toEqual({ evaluations: 2, memoHits: 99 });
  });

  it('replaces, adds and removes advisories, dropping only the memo of touched keys', () => {
    const m = new Matcher([
      advisory('A', 'npm', 'a', eco([{ introduced: '0' }, { fixed: '2.0.0' }])),
      advisory('B', 'npm', 'b', eco([{ introduced: '0' }, { fixed: '2.0.0' }])),
    ]);
    m.match('npm', 'a', '1.0.0');
    m.match('npm', 'b', '1.0.0');
    const touched = m.upsert([advisory('A', 'npm', 'a', eco([{ introduced: '0' }, { fixed: '1.0.0' }]))]);
    expect([...touched]).toEqual(['npm\u0000a']);
    expect(matchIds(m, 'npm', 'a', '1.0.0')).toEqual([]);
    expect(matchIds(m, 'npm', 'b', '1.0.0')).toEqual(['B>2.0.0']);
    expect(m.stats.evaluations).toBe(3); // a re-evaluated, b from memo
    expect([...m.remove(['B'])]).toEqual(['npm\u0000b']);
    expect(matchIds(m, 'npm', 'b', '1.0.0')).toEqual([]);
    expect(m.size).toBe(1);
  });
});

function host(name: string, packages: [string, string, string][], source = `${name}.json`): HostInventory {
  return { host: name, source, packages: packages.map(([ecosystem, n, version]) => ({ ecosystem, name: n, version })) };
}

describe('assessHost', () => {
  it('reports one finding per (advisory, package) across architectures and binaries of one source', () => {
    const m = new Matcher([advisory('DSA-1', 'Debian:12', 'openssl', eco([{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }]))]);
    const inv: HostInventory = {
      host: 'h',
      source: 'h.status',
      packages: [
        { ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.11-1~deb12u1', sourceName: 'openssl' },
        { ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.11-1~deb12u1', sourceName: 'openssl', arch: 'i386' },
        { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u1' },
      ],
    };
    const result = assessHost(m, inv);
    expect(findingsOf(result).map((f) => [f.advisory.id, f.package, f.installed, f.fixed, f.binaries])).toEqual([
      ['DSA-1', 'openssl', '3.0.11-1~deb12u1', '3.0.11-1~deb12u2', ['libssl3', 'openssl']],
    ]);
  });

  it('reports packages of an unknown ecosystem once per ecosystem, not silently', () => {
    const m = new Matcher([advisory('A', 'npm', 'a', eco([{ introduced: '0' }, { fixed: '2.0.0' }]))]);
    const result = assessHost(m, host('h', [['Nope:1', 'x', '1'], ['Nope:1', 'y', '2'], ['npm', 'a', '1.0.0']]));
    expect(findingsOf(result)).toHaveLength(1);
    expect(result.problems.map((p) => [p.code, p.message])).toEqual([['PW_ECOSYSTEM_UNKNOWN', 'h.json: 2 packages of unknown ecosystem "Nope:1" left out']]);
  });

  it("matches Go's standard library as SBOM tools spell it against an OSV stdlib record", () => {
    // Shaped like the Go vulnerability database's OSV export (GO-2024-2598: package stdlib, SEMVER ranges).
    const { advisory: go } = parseOsvRecord(
      {
        schema_version: '1.3.1',
        id: 'GO-2024-2598',
        modified: '2024-03-06T00:00:00Z',
        aliases: ['CVE-2024-24783'],
        summary: 'Verify panics on certificates with an unknown public key algorithm in crypto/x509',
        affected: [{ package: { name: 'stdlib', ecosystem: 'Go' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.21.8' }, { introduced: '1.22.0-0' }, { fixed: '1.22.1' }] }] }],
      },
      'GO-2024-2598.json',
    );
    const m = new Matcher([go]);
    const bom = (version: string) =>
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', name: 'stdlib', version, purl: `pkg:golang/stdlib@${version}` }] });
    const found = (version: string) => findingsOf(assessHost(m, parseInventory(bom(version), 'app.cdx.json', {}).inventories[0] as HostInventory)).map((f) => `${f.advisory.id}>${f.fixed}`);
    expect(found('go1.21.6')).toEqual(['GO-2024-2598>1.21.8']);
    expect(found('1.22.0')).toEqual(['GO-2024-2598>1.22.1']);
    // 1.22.0-0 is the lowest 1.22.0 prerelease: the vulnerability database counts release candidates in.
    expect(found('go1.22rc1')).toEqual(['GO-2024-2598>1.22.1']);
    expect(found('v1.22.1')).toEqual([]);
  });

  it('names packages with invalid versions and goes on', () => {
    const m = new Matcher([advisory('A', 'npm', 'a', eco([{ introduced: '0' }, { fixed: '2.0.0' }]))]);
    const result = assessHost(m, host('h', [['npm', 'a', 'x.y'], ['npm', 'a', '1.0.0']]));
    expect(findingsOf(result)).toHaveLength(1);
    expect(result.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^h\.json: package a x\.y \(npm\): .*x\.y/)]);
  });
});

describe('FleetAssessment', () => {
  it('re-assesses only the hosts that carry a touched key, and agrees with a full recompute', () => {
    const advisories = [
      advisory('A', 'npm', 'a', eco([{ introduced: '0' }, { fixed: '2.0.0' }])),
      advisory('B', 'npm', 'b', eco([{ introduced: '0' }, { fixed: '2.0.0' }])),
    ];
    const fleet = new FleetAssessment(new Matcher(advisories));
    const hosts = [
      host('h1', [['npm', 'a', '1.0.0']]),
      host('h2', [['npm', 'b', '1.0.0']]),
      host('h3', [['npm', 'a', '3.0.0'], ['npm', 'c', '1.0.0']]),
    ];
    for (const h of hosts) fleet.setHost(h);
    expect(findingsOf(fleet.get('h1') as HostAssessment).map((f) => f.advisory.id)).toEqual(['A']);

    const newC = advisory('C', 'npm', 'c', eco([{ introduced: '0' }, { fixed: '1.0.1' }]));
    const changed = fleet.updateAdvisories({ upsert: [newC], remove: ['A'] });
    expect(changed.sort()).toEqual(['h1', 'h3']);
    const full = new Matcher([advisories[1] as Advisory, newC]);
    for (const h of hosts) {
      expect(findingsOf(fleet.get(h.host) as HostAssessment).map((f) => f.advisory.id)).toEqual(findingsOf(assessHost(full, h)).map((f) => f.advisory.id));
    }
    expect(findingsOf(fleet.get('h3') as HostAssessment).map((f) => f.advisory.id)).toEqual(['C']);

    fleet.setHost(host('h2', [['npm', 'b', '2.0.0']]));
    expect(findingsOf(fleet.get('h2') as HostAssessment)).toEqual([]);
    fleet.removeHost('h2');
    expect(fleet.hostNames().sort()).toEqual(['h1', 'h3']);
    expect(fleet.updateAdvisories({ remove: ['B'] })).toEqual([]);
  });
});
