/**
 * `patchwise scan` output must stay byte-identical while the scan is made faster: every format
 * (table, json, csv, sarif) on many configurations (CycloneDX fleets cloned from images and
 * disturbed clones, Patchwise inventories with every tier and exposure, KEV/EPSS/NVD, --type,
 * --fail-on, --ecosystem, --strict, skipped inputs) is compared with golden digests: stdout's
 * SHA-256 and length, stderr in full, the exit code.
 *
 * The goldens (output-equality.golden.json) were made by main at 7234781, before the scan
 * optimisations of issue 2; the four fixtures-mixed cases were re-made when Maven purls came to be
 * read (web-01's SBOM lists log4j-core, no longer skipped); the fixtures' digest moved when the
 * Patchwise example document gained `host.kernel` (no output changed); the fixtures-mixed and strict
 * cases were re-made when SPDX JSON came to be read (four SPDX fixtures became hosts, the
 * unknown-format message names SPDX; every other host's output checked identical to main's at
 * 88cbbee, scanned from the same fixtures); the four fixtures-mixed cases' stderr gained the warning
 * that no advisory given covers Debian:12 and Alpine:v3.18 (stdout and status checked unchanged). Regenerate them only for an intended output change, and then from
 * the code before the change:  PW_UPDATE_GOLDEN=1 npx vitest run packages/cli/test/output-equality.test.ts
 * A failing case leaves its stdout under .tmp/output-equality/actual/ for diffing against the
 * output of that older code.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { isPatchwiseError } from '@patchwise/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanCommand, type ScanCommandOptions } from '../src/commands/scan.js';
import { FIXTURES, buildEqualityFixtures } from './equality-fixtures.js';
import { REPO, SAMPLES } from './run-cli.js';

const GOLDEN = resolve(import.meta.dirname, 'output-equality.golden.json');
const UPDATE = process.env.PW_UPDATE_GOLDEN === '1';
const VERSION = (JSON.parse(readFileSync(resolve(REPO, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;
/** Relative to the repository, where the CLI runs: reports name their sources by these paths. */
const DIR = '.tmp/output-equality';
const at = (path: string): string => `${DIR}/${path}`;
const SHARED = resolve(REPO, '../shared/data');
const KEV = '../shared/data/kev/known_exploited_vulnerabilities.json';
const OSV_SAMPLES = '../shared/data/osv/samples';
const alma = ['--advisories', at(FIXTURES.almaFeed)];
const pypa = ['--advisories', at(FIXTURES.pypiFeed)];
const intel = ['--kev', KEV, '--epss', at(FIXTURES.epss), '--nvd', at(FIXTURES.nvd)];

/** Configurations, each scanned in every format: arguments after `scan`, before `--format`. */
const CONFIGS: Readonly<Record<string, readonly string[]>> = {
  'fleet-plain': [...alma, ...pypa, at(FIXTURES.fleet)],
  'fleet-intel': [...alma, ...pypa, ...intel, at(FIXTURES.fleet), at(FIXTURES.mutants)],
  'fleet-security': [...alma, ...intel, '--type', 'security', '--fail-on', 'P2', at(FIXTURES.fleet)],
  'fleet-non-security': [...alma, '--type', 'bugfix', '--type', 'enhancement', '--fail-on', 'P4', at(FIXTURES.fleet), at(FIXTURES.bigFleet)],
  'big-fleet-intel': [...alma, ...intel, '--fail-on', 'P1', at(FIXTURES.bigFleet)],
  'big-fleet-kev': [...alma, '--kev', KEV, at(FIXTURES.bigFleet), at(FIXTURES.bigFleet)],
  attributes: [...alma, ...pypa, ...intel, '--fail-on', 'P3', at(FIXTURES.attributes)],
  mutants: [...alma, '--epss', at(FIXTURES.epss), at(FIXTURES.mutants)],
  samples: ['--advisories', SAMPLES.advisories, '--kev', SAMPLES.kev, '--epss', SAMPLES.epss, '--fail-on', 'P1', SAMPLES.inventories],
  'fixtures-mixed': [
    ...alma,
    '--advisories',
    `${OSV_SAMPLES}/ubuntu-osv`,
    '--advisories',
    `${OSV_SAMPLES}/rocky-osv`,
    ...intel,
    at(FIXTURES.readerFixtures),
    at(FIXTURES.attributes),
  ],
  'fixtures-ecosystem': [
    ...alma,
    '--ecosystem',
    'AlmaLinux:9',
    at(`${FIXTURES.readerFixtures}/rpm-qa-almalinux9.tsv`),
    at(`${FIXTURES.readerFixtures}/trivy-almalinux9.cdx.json`),
    at(FIXTURES.mutants),
  ],
  strict: [...alma, '--strict', at(FIXTURES.mutants), at(FIXTURES.readerFixtures)],
};
const FORMATS = ['table', 'json', 'csv', 'sarif'] as const;

interface Outcome {
  readonly status: number | null;
  readonly stdoutBytes: number;
  readonly stdoutSha256: string;
  readonly stderr: string;
}

interface Golden {
  /** Digest of every fixture file: a changed generator must not pass for a changed scan. */
  readonly fixtures: string;
  readonly cases: Record<string, Outcome>;
}

interface Case {
  readonly name: string;
  readonly inventories: string[];
  readonly options: ScanCommandOptions;
}

/** The options commander would give scanCommand for these arguments (see main.ts). */
function caseOf(name: string, args: readonly string[], format: string): Case {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      advisories: { type: 'string', multiple: true, default: [] },
      kev: { type: 'string' },
      epss: { type: 'string' },
      nvd: { type: 'string', multiple: true, default: [] },
      'fail-on': { type: 'string' },
      type: { type: 'string', multiple: true, default: [] },
      ecosystem: { type: 'string' },
      strict: { type: 'boolean', default: false },
    },
  });
  const { 'fail-on': failOn, ...rest } = values;
  return { name, inventories: positionals, options: { ...rest, failOn, format } };
}

const CASES = Object.entries(CONFIGS).flatMap(([config, args]) => FORMATS.map((format) => caseOf(`${config} --format ${format}`, args, format)));

/**
 * Runs `patchwise scan` in this process, as main() would: stdout and stderr collected, a
 * PatchwiseError printed as one line with exit code 2. In-process, because a CLI process spends
 * longer starting than scanning these fixtures; the CLI's argument parsing has its own tests.
 */
async function run(c: Case): Promise<{ outcome: Outcome; stdout: Buffer }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (chunks: Buffer[]): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    });
  const stdout = sink(out);
  const stderr = sink(err);
  let status: number;
  try {
    status = await scanCommand(c.inventories, c.options, { stdout, stderr, version: VERSION });
  } catch (e) {
    if (!isPatchwiseError(e)) throw e;
    stderr.write(`patchwise: ${e.message}\n`);
    status = 2;
  }
  const bytes = Buffer.concat(out);
  const outcome = {
    status,
    stdoutBytes: bytes.length,
    stdoutSha256: createHash('sha256').update(bytes).digest('hex'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
  return { outcome, stdout: bytes };
}

function digestTree(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(`${relative(root, path)}\0`).update(readFileSync(path));
    }
  };
  walk(root);
  return hash.digest('hex');
}

describe.skipIf(!existsSync(SHARED))('scan output is byte-identical to the golden output', () => {
  const actual = new Map<string, Outcome>();
  let fixtures = '';

  beforeAll(async () => {
    process.chdir(REPO); // inputs are named relative to the repository, as reports print them
    const dir = resolve(REPO, DIR);
    rmSync(dir, { recursive: true, force: true });
    await buildEqualityFixtures(dir);
    fixtures = digestTree(dir);
    mkdirSync(join(dir, 'actual'));
    for (const c of CASES) {
      const { outcome, stdout } = await run(c);
      actual.set(c.name, outcome);
      writeFileSync(join(dir, 'actual', c.name.replace(/ --format /, '.')), stdout);
    }
    if (UPDATE) {
      const golden: Golden = { fixtures, cases: Object.fromEntries(actual) };
      writeFileSync(GOLDEN, `${JSON.stringify(golden, null, 2)}\n`);
    }
  });

  // Read after beforeAll: in update mode it has just been written.
  const golden = (): Golden | undefined => (existsSync(GOLDEN) ? (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden) : undefined);

  it('reads the same fixtures the goldens were made from', () => {
    const want = golden();
    expect(want, `no ${GOLDEN}: make it with PW_UPDATE_GOLDEN=1 from the code before the change`).toBeDefined();
    expect(fixtures, 'the fixture generator writes other bytes now: regenerate the goldens from the unoptimised code').toBe(want?.fixtures);
  });

  it.each(CASES.map((c) => [c.name]))('%s', (name) => {
    const want = golden()?.cases[name];
    expect(want, `no golden for "${name}"`).toBeDefined();
    expect(actual.get(name)).toEqual(want);
  });

  it('covers what it claims: findings of every priority, skipped inputs, every exit code', () => {
    const outcomes = [...actual.values()];
    expect(new Set(outcomes.map((o) => o.status))).toEqual(new Set([0, 1, 2]));
    expect(outcomes.some((o) => o.stderr.includes('skipped'))).toBe(true);
    const csv = readFileSync(resolve(REPO, DIR, 'actual', 'fleet-intel.csv'), 'utf8');
    for (const p of ['P1', 'P2', 'P3', 'P4']) expect(csv).toContain(`,${p},`);
  });
});
