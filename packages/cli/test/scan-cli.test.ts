import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLES, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = ['scan', '--advisories', SAMPLES.advisories, '--kev', SAMPLES.kev, '--epss', SAMPLES.epss];

interface JsonOut {
  hosts: {
    host: string;
    findings: {
      advisory: string;
      aliases: string[];
      type: string;
      package: string;
      installed: string;
      fixed: string | null;
      severity: string | null;
      cvss: number | null;
      kev: boolean;
      epss: number | null;
      priority: string;
      reasons: string[];
    }[];
  }[];
}

describe('patchwise scan', () => {
  const json = runCli([...base, '--format', 'json', SAMPLES.inventories]);
  const out = JSON.parse(json.stdout) as JsonOut;

  it('scans the sample fleet: one entry per host, named from the SBOM or the inventory', () => {
    expect(json.status).toBe(0);
    expect(json.stderr).toBe('');
    expect(out.hosts.map((h) => h.host)).toEqual(['edge-proxy-01', 'legacy-app-01', 'web-01']);
  });

  it('prints every documented field, with KEV and reasons from the enrichment feeds', () => {
    const web = out.hosts.find((h) => h.host === 'web-01');
    const looney = web?.findings.find((f) => f.advisory === 'ALSA-2023:5453');
    // web-01 has glibc 2.34-100.el9_4.2, above the 2.34-60.el9_2.7 fix: Looney Tunables must NOT show.
    expect(looney).toBeUndefined();
    const git = web?.findings.find((f) => f.advisory === 'ALSA-2025:11462' && f.package === 'git');
    expect(git).toEqual({
      advisory: 'ALSA-2025:11462',
      aliases: expect.arrayContaining(['CVE-2025-48384']) as string[],
      type: 'security',
      package: 'git',
      installed: '2.43.0-1.el9',
      fixed: '2.47.3-1.el9_6',
      severity: 'high',
      cvss: null,
      kev: true,
      epss: null,
      priority: 'P1',
      reasons: ['vendor severity Important (high)', expect.stringMatching(/^in CISA KEV since 2025-\d\d-\d\d/)],
      summary: expect.any(String) as string,
    });
  });

  it('reports bug-fix and enhancement advisories too, and --type narrows them', () => {
    const legacy = out.hosts.find((h) => h.host === 'legacy-app-01');
    const types = new Set(legacy?.findings.map((f) => f.type));
    expect(types).toEqual(new Set(['security', 'bugfix', 'enhancement']));
    const onlyBugfix = JSON.parse(runCli([...base, '--format', 'json', '--type', 'bugfix', SAMPLES.inventories]).stdout) as JsonOut;
    const all = onlyBugfix.hosts.flatMap((h) => h.findings);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((f) => f.type === 'bugfix' && f.priority === 'P4')).toBe(true);
  });

  it('matches PyPI packages by PEP 503 name (PyYAML → pyyaml) and PEP 440 version', () => {
    const web = out.hosts.find((h) => h.host === 'web-01');
    const pypi = web?.findings.filter((f) => f.advisory.startsWith('PYSEC-')).map((f) => [f.advisory, f.package, f.installed, f.fixed]);
    expect(pypi?.sort()).toEqual([
      ['PYSEC-2021-142', 'pyyaml', '5.3.1', '5.4'],
      ['PYSEC-2023-192', 'urllib3', '1.26.5', '1.26.17'],
      ['PYSEC-2023-212', 'urllib3', '1.26.5', '1.26.18'],
      ['PYSEC-2023-74', 'requests', '2.25.1', '2.31.0'],
    ]);
  });

  it('--fail-on sets exit code 1 when a finding is at or above the threshold', () => {
    expect(runCli([...base, '--fail-on', 'P1', '--format', 'csv', SAMPLES.inventories]).status).toBe(1);
    // legacy-app-01 alone has no P1 finding.
    expect(runCli([...base, '--fail-on', 'P1', 'samples/inventories/legacy-app-01.cdx.json']).status).toBe(0);
    expect(runCli([...base, '--fail-on', 'P4', 'samples/inventories/legacy-app-01.cdx.json']).status).toBe(1);
  });

  it('writes CSV with a header and one quoted row per finding', () => {
    const csv = runCli([...base, '--format', 'csv', SAMPLES.inventories]).stdout.trimEnd().split('\r\n');
    expect(csv[0]).toBe('host,advisory,aliases,type,package,installed,fixed,severity,cvss,kev,epss,priority,reasons');
    expect(csv.length - 1).toBe(out.hosts.reduce((n, h) => n + h.findings.length, 0));
    expect(csv.some((row) => /^web-01,ALSA-2025:11462,.*,P1,"?vendor severity Important \(high\); in CISA KEV/.test(row))).toBe(true);
  });

  it('writes valid SARIF 2.1.0 with one result per finding and a rule per advisory', () => {
    const sarif = JSON.parse(runCli([...base, '--format', 'sarif', SAMPLES.inventories]).stdout) as {
      version: string;
      runs: { results: { ruleId: string; level: string }[]; tool: { driver: { name: string; rules: { id: string }[] } } }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run?.results.length).toBe(out.hosts.reduce((n, h) => n + h.findings.length, 0));
    expect(new Set(run?.tool.driver.rules.map((r) => r.id))).toEqual(new Set(run?.results.map((r) => r.ruleId)));
  });

  it('prints a readable table with a closing summary', () => {
    const table = runCli([...base, SAMPLES.inventories]);
    expect(table.stdout).toMatch(/^edge-proxy-01 \(AlmaLinux:9, 12 packages\): \d+ findings: /);
    expect(table.stdout).toMatch(/\n {2}PRIO {2}ADVISORY +TYPE +PACKAGE +INSTALLED +FIXED +SEVERITY +CVSS +KEV +EPSS\n/);
    expect(table.stdout).toMatch(/\nScanned 3 hosts: \d+ findings \(P1 \d+, P2 \d+, P3 \d+, P4 \d+\)\n$/);
  });
});

describe('patchwise scan: NVD enrichment', () => {
  it('takes CVSS from NVD (Primary metric) when the advisory gives none, and ranks by it', () => {
    const advisory = {
      id: 'TEST-2023-1',
      modified: '2023-10-01T00:00:00Z',
      related: ['CVE-2023-45109'],
      affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }],
    };
    writeFileSync(join(dir, 'nvd-advisory.json'), JSON.stringify(advisory));
    const sbom = { bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { component: { name: 'app-01' } }, components: [{ type: 'library', name: 'left-pad', purl: 'pkg:npm/left-pad@1.3.0' }] };
    writeFileSync(join(dir, 'app.cdx.json'), JSON.stringify(sbom));
    const args = ['scan', '--advisories', join(dir, 'nvd-advisory.json'), '--format', 'json', join(dir, 'app.cdx.json')];
    const without = (JSON.parse(runCli(args).stdout) as JsonOut).hosts[0]?.findings[0];
    expect(without).toMatchObject({ cvss: null, severity: null, priority: 'P3', reasons: ['severity unknown, counted as medium'] });
    const nvd = '../shared/data/nvd/vunnel-nvd-api2-full-page.json';
    const withNvd = (JSON.parse(runCli([...args.slice(0, 3), '--nvd', nvd, ...args.slice(3)]).stdout) as JsonOut).hosts[0]?.findings[0];
    expect(withNvd).toMatchObject({ advisory: 'TEST-2023-1', cvss: 8.8, severity: 'high', priority: 'P3', reasons: ['CVSS 3.1 8.8 (high)'] });
  });
});

describe('patchwise scan: bad input', () => {
  it('names unreadable and malformed inputs, goes on with the rest, and --strict makes them fatal', () => {
    writeFileSync(join(dir, 'broken.json'), '{"bomFormat": "CycloneDX", ');
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    const args = [...base, '--format', 'json', join(dir, 'broken.json'), join(dir, 'missing'), join(dir, 'notes.txt'), 'samples/inventories/web-01.cdx.json'];
    const r = runCli(args);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as JsonOut).hosts.map((h) => h.host)).toEqual(['web-01']);
    // Named in the order the inputs were given.
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^patchwise: skipped ${join(dir, 'broken.json')}: .*JSON`));
    expect(lines[1]).toBe(`patchwise: skipped ${join(dir, 'missing')}: no such file or directory`);
    expect(lines[2]).toMatch(new RegExp(`^patchwise: skipped ${join(dir, 'notes.txt')}: `));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack traces

    const strict = runCli([...args.slice(0, 1), '--strict', ...args.slice(1)]);
    expect(strict.status).toBe(2);
  });

  it('warns when no advisory given covers a host\'s distribution, rather than letting "no findings" pass for a clean host', () => {
    const debian = join(dir, 'debian-advisory.json');
    writeFileSync(debian, JSON.stringify({ id: 'DEBIAN-CVE-2024-0727', modified: '2025-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.15-1~deb12u1' }] }] }] }));
    const r = runCli(['scan', '--advisories', debian, SAMPLES.inventories]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Scanned 3 hosts: 0 findings$/m);
    const note = "their distribution packages were not assessed; add that distribution's advisories with --advisories";
    expect(r.stderr.trim().split('\n')).toEqual([
      `patchwise: warning: no advisory given covers AlmaLinux:9 (2 hosts: edge-proxy-01, web-01): ${note}`,
      `patchwise: warning: no advisory given covers AlmaLinux:8 (1 host: legacy-app-01): ${note}`,
    ]);
    // Covered: no warning.
    expect(runCli([...base, SAMPLES.inventories]).stderr).not.toMatch(/no advisory given covers/);
  });

  it('exits 2 when nothing could be scanned, and for bad usage', () => {
    expect(runCli([...base, join(dir, 'missing')]).status).toBe(2);
    const usage = runCli([...base, '--format', 'xml', SAMPLES.inventories]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/xml/);
    expect(runCli(['scan', SAMPLES.inventories]).stderr).toBe(
      'patchwise: no advisories given: pass --advisories PATH (OSV files, directories or archives)\n',
    );
    expect(runCli([...base, '--fail-on', 'P9', SAMPLES.inventories]).status).toBe(2);
    expect(runCli([...base, '--type', 'feature', SAMPLES.inventories]).status).toBe(2);
    // An ecosystem OSV does not define assesses nothing: refused, not a clean-looking "no findings" with exit 0.
    const dpkg = join(dir, 'status');
    writeFileSync(dpkg, 'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2\n');
    const ecosystem = runCli([...base, '--ecosystem', 'Debain:12', dpkg]);
    expect([ecosystem.status, ecosystem.stdout, ecosystem.stderr]).toEqual([
      2,
      '',
      'patchwise: --ecosystem: unknown ecosystem "Debain:12" (OSV names such as Debian:12, AlmaLinux:9, Alpine:v3.20, PyPI)\n',
    ]);
    const kev = runCli([...base.slice(0, 3), '--kev', join(dir, 'notes.txt'), SAMPLES.inventories]);
    expect(kev.status).toBe(2);
    expect(kev.stderr).toMatch(new RegExp(`^patchwise: ${join(dir, 'notes.txt')}: `));
  });
});

describe('patchwise version compare', () => {
  it('prints -1, 0 or 1 per line and error: for lines it cannot compare, keeping lines aligned', () => {
    const r = runCli(['version', 'compare', '--ecosystem', 'Debian:12'], '1:1.0-1 2.0-1\n1.0~rc1 1.0\n1.0 1.0\n\n1.0-1 a:b\n2.0 1.0\n');
    expect(r.stdout.split('\n')).toEqual(['1', '-1', '0', expect.stringMatching(/^error: /), expect.stringMatching(/^error: .*a:b/), '1', '']);
    expect(r.status).toBe(2);
  });

  it('takes ecosystem names with or without release, and refuses unknown ones', () => {
    expect(runCli(['version', 'compare', '--ecosystem', 'Rocky Linux'], '1.0-1.el9 1.0-1.el9_1\n').stdout).toBe('-1\n');
    expect(runCli(['version', 'compare', '--ecosystem', 'PyPI'], '1.0 1.0.0\n1.0a1 1.0\n').stdout).toBe('0\n-1\n');
    expect(runCli(['version', 'compare', '--ecosystem', 'npm'], '1.0.0-alpha 1.0.0\n').stdout).toBe('-1\n');
    expect(runCli(['version', 'compare', '--ecosystem', 'Alpine:v3.18'], '1.2.3_rc1-r0 1.2.3-r0\n').stdout).toBe('-1\n');
    const bad = runCli(['version', 'compare', '--ecosystem', 'Nope'], '1 2\n');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('patchwise: Nope: unknown ecosystem "Nope"\n');
  });

  it('writes large outputs to a pipe whole', () => {
    const lines = Array.from({ length: 200000 }, (_, i) => `1.${i} 1.${i + 1}`).join('\n');
    const r = runCli(['version', 'compare', '--ecosystem', 'Debian'], lines);
    expect(r.stdout.split('\n')).toHaveLength(200001);
    expect(r.status).toBe(0);
  });
});
