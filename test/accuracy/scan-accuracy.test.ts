/**
 * Accuracy of `patchwise scan` against an independent oracle (test/oracle/osv_oracle.py: Python,
 * written from the OSV spec, rpm's own labelCompare and packaging's PEP 440) on a generated fleet
 * made from the REAL AlmaLinux and PyPA feeds. Every (host, advisory, package, installed, fixed)
 * must agree exactly: a single false negative, false positive or wrong "fixed" fails the test.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ALMA_FEED, PYPI_FEED, generateFleet } from '../../bench/fleet/generate-fleet.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3';
const ORACLE = join(ROOT, 'test/oracle/osv_oracle.py');
const CLI = join(ROOT, 'packages/cli/bin/patchwise.js');
const HOSTS = 150;
const run = promisify(execFile);

interface CliFinding {
  advisory: string;
  type: string;
  package: string;
  installed: string;
  fixed: string | null;
}
interface CliOutput {
  hosts: { host: string; findings: CliFinding[] }[];
}
interface OracleFinding {
  host: string;
  advisory: string;
  package: string;
  installed: string;
  fixed: string | null;
}

/** Why the oracle cannot run here, or undefined when it can. */
function oracleUnavailable(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    execFileSync(PYTHON, ['-c', 'import rpm, yaml, packaging.version'], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `${PYTHON} lacks rpm, yaml or packaging (apt-get install python3-rpm python3-yaml python3-packaging): ${String(err)}`;
  }
}

/** Runs a program to completion; a non-zero exit still yields its stdout (scan exits 1 on --fail-on). */
async function output(file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(file, args, { cwd: ROOT, maxBuffer: 1 << 30 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: unknown };
    if (typeof e.stdout === 'string' && e.stdout.trim() !== '') return { stdout: e.stdout, stderr: e.stderr ?? '' };
    throw new Error(`${file} ${args.join(' ')} failed (exit ${String(e.code)}): ${e.stderr ?? String(err)}`);
  }
}

const key = (f: OracleFinding): string => JSON.stringify([f.host, f.advisory, f.package, f.installed, f.fixed]);

/** The first differences, with "fixed" disagreements on the same finding shown side by side. */
function describeDiff(cliOnly: OracleFinding[], oracleOnly: OracleFinding[], limit = 25): string {
  const id = (f: OracleFinding): string => `${f.host} ${f.advisory} ${f.package} ${f.installed}`;
  const oracleFixed = new Map(oracleOnly.map((f) => [id(f), f.fixed]));
  const cliIds = new Set(cliOnly.map(id));
  const lines: string[] = [];
  const fixedDiffers = cliOnly.filter((f) => oracleFixed.has(id(f)));
  for (const f of fixedDiffers.slice(0, limit)) lines.push(`  fixed differs: ${id(f)}: scan ${f.fixed}, oracle ${oracleFixed.get(id(f)) ?? null}`);
  const missing = oracleOnly.filter((f) => !cliIds.has(id(f)));
  for (const f of missing.slice(0, limit)) lines.push(`  missed by scan (false negative?): ${id(f)} fixed ${f.fixed}`);
  const extra = cliOnly.filter((f) => !oracleFixed.has(id(f)));
  for (const f of extra.slice(0, limit)) lines.push(`  only in scan (false positive?): ${id(f)} fixed ${f.fixed}`);
  return (
    `${fixedDiffers.length} with a different fixed version, ${missing.length} missed by scan, ` +
    `${extra.length} only in scan (first ${limit} of each):\n${lines.join('\n')}`
  );
}

describe('scan accuracy against the OSV oracle (real AlmaLinux + PyPA feeds)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`agrees exactly on every finding of ${HOSTS} generated hosts`, async (ctx) => {
    const problem = oracleUnavailable();
    if (problem) {
      // On CI the oracle is part of the toolchain: a missing module is a broken runner, not a skip.
      if (process.env.CI === 'true') throw new Error(`accuracy oracle unavailable on CI: ${problem}`);
      ctx.skip(`accuracy oracle unavailable: ${problem}`);
    }
    const fleet = mkdtempSync(join(tmpdir(), 'pw-accuracy-'));
    dirs.push(fleet);
    await generateFleet({ outDir: fleet, hosts: HOSTS, packagesPerHost: 1000, pypiPerHost: 30, seed: 20250825 });

    const feeds = ['--advisories', ALMA_FEED, '--advisories', PYPI_FEED];
    // Independent processes: run them side by side to stay well under a minute.
    const [scan, oracle] = await Promise.all([
      output(process.execPath, [CLI, 'scan', ...feeds, '--format', 'json', fleet]),
      output(PYTHON, [ORACLE, ...feeds, fleet]),
    ]);

    const cli = JSON.parse(scan.stdout) as CliOutput;
    expect(cli.hosts).toHaveLength(HOSTS);
    const types = new Set<string>();
    const cliFindings: OracleFinding[] = [];
    for (const h of cli.hosts) {
      for (const f of h.findings) {
        types.add(f.type);
        cliFindings.push({ host: h.host, advisory: f.advisory, package: f.package, installed: f.installed, fixed: f.fixed });
      }
    }
    const oracleFindings = oracle.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as OracleFinding);
    // The generator installs only versions the ecosystems accept, so the oracle must judge them all.
    const rejected = oracle.stderr.split('\n').filter((l) => l.includes('installed version rejected'));
    expect(rejected, 'oracle could not parse some installed versions').toEqual([]);

    // Not vacuous: thousands of findings, rpm and PyPI, security, bugfix and enhancement advisories.
    expect(oracleFindings.length).toBeGreaterThan(5000);
    expect(oracleFindings.some((f) => f.advisory.startsWith('ALSA-'))).toBe(true);
    expect(oracleFindings.some((f) => f.advisory.startsWith('PYSEC-'))).toBe(true);
    expect([...types].sort()).toEqual(['bugfix', 'enhancement', 'security']);

    const cliKeys = new Set(cliFindings.map(key));
    const oracleKeys = new Set(oracleFindings.map(key));
    expect(cliKeys.size, 'scan reported the same finding twice').toBe(cliFindings.length);
    const cliOnly = cliFindings.filter((f) => !oracleKeys.has(key(f)));
    const oracleOnly = oracleFindings.filter((f) => !cliKeys.has(key(f)));
    process.stdout.write(
      `accuracy: ${HOSTS} hosts, scan ${cliFindings.length} findings, oracle ${oracleFindings.length}, ` +
        `${cliOnly.length} only in scan, ${oracleOnly.length} only in oracle\n`,
    );
    if (cliOnly.length > 0 || oracleOnly.length > 0) {
      expect.fail(`scan and oracle disagree: ${describeDiff(cliOnly, oracleOnly)}`);
    }
  });
});
