/**
 * `patchwise scan` with parser threads must give what a scan in one thread gives: the same
 * hosts, skipped inputs and messages, in the same order, whatever the number of threads and
 * however far ahead they read. Real worker threads throughout (loaded through tsx as the CLI
 * loads them).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import {
  PackageCache,
  isPatchwiseError,
  listInputFiles,
  readListedInventories,
  type InstalledPackage,
  type InventoryReadEvent,
} from '@patchwise/core/assessment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet } from '../../../bench/fleet/generate-fleet.js';
import { makeArchive } from '../../core/test/support/make-archive.js';
import { scanCommand, type ScanCommandOptions } from '../src/commands/scan.js';
import { ScanThreadPool } from '../src/scan-threads/index.js';
import { FIXTURES, buildEqualityFixtures } from './equality-fixtures.js';
import { BIN, REPO, SAMPLES } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-scan-threads-'));
const fleet = join(dir, 'fleet');
const advisories = join(REPO, SAMPLES.advisories);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await generateFleet({ outDir: fleet, hosts: 90, packagesPerHost: 60, images: 3, seed: 5, almaFeed: join(advisories, 'almalinux') });
  const hosts = readdirSync(fleet).sort();
  // Bad inputs among good ones: names that sort into the middle of the fleet.
  writeFileSync(join(fleet, 'host-00030-bad.cdx.json'), '{"bomFormat": "CycloneDX", "specVersion": "1.5",\n "components": [}');
  writeFileSync(join(fleet, 'host-00031-notes.txt'), 'not an inventory\n');
  writeFileSync(join(fleet, 'host-00032-spec.cdx.json'), '{"bomFormat": "CycloneDX", "specVersion": "9.9"}');
  copyFileSync(join(REPO, SAMPLES.inventories, 'edge-proxy-01.json'), join(fleet, 'host-00033-patchwise.json'));
  makeArchive('tar.gz', join(fleet, 'host-00050-archive.tar.gz'), [
    { name: 'a.cdx.json', data: readFileSync(join(fleet, hosts[1] as string), 'utf8') },
    { name: 'b.json', data: '{' },
    { name: 'c.cdx.json', data: readFileSync(join(fleet, hosts[2] as string), 'utf8') },
  ]);
}, 60_000);

/** An event as plain data: hosts as read, or the skipped input's code and message. */
function plain(e: InventoryReadEvent): unknown {
  return e.kind === 'skipped' ? ['skipped', e.error.code, e.error.message] : ['parsed', e.result.format, e.result.inventories, e.result.skipped];
}

async function collect(events: AsyncIterable<InventoryReadEvent>): Promise<InventoryReadEvent[]> {
  const out: InventoryReadEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const paths = (): string[] => [join(dir, 'missing.json'), fleet, join(REPO, SAMPLES.inventories, 'web-01.cdx.json')];

describe('ScanThreadPool', () => {
  it.each([
    [2, 1],
    [1, 256],
    [3, 4],
  ])('gives what reading in one thread gives, in order (%i threads, %i files ahead each)', async (threads, aheadPerThread) => {
    const listed = listInputFiles(paths());
    const want = await collect(readListedInventories(listed, { inventory: { packageCache: new PackageCache() } }));
    const pool = new ScanThreadPool(listed, { threads, aheadPerThread, packageCache: new PackageCache() });
    const got = await collect(pool.events());
    expect(got.map(plain)).toEqual(want.map(plain));
    // What the comparison covers: good hosts, every kind of bad input, an archive's entries.
    const skipped = want.filter((e) => e.kind === 'skipped').map((e) => (e.kind === 'skipped' ? e.error.code : ''));
    expect(skipped).toEqual(['PW_INPUT_UNREADABLE', 'PW_INPUT_MALFORMED', 'PW_INPUT_FORMAT_UNKNOWN', 'PW_INPUT_INVALID', 'PW_INPUT_MALFORMED']);
    expect(want.filter((e) => e.kind === 'parsed')).toHaveLength(90 + 1 + 2 + 1);
  });

  it('shares one object per distinct package across the hosts of all threads', async () => {
    const pool = new ScanThreadPool(listInputFiles([fleet]), { threads: 2, aheadPerThread: 2, packageCache: new PackageCache() });
    const seen = new Map<string, InstalledPackage>();
    let packages = 0;
    for (const e of await collect(pool.events())) {
      if (e.kind !== 'parsed') continue;
      // Archives are read by the main thread, whose packages are shared among themselves only.
      const fromThreads = e.result.inventories.filter((h) => !h.source.includes('.tar.gz'));
      for (const p of fromThreads.flatMap((h) => h.packages)) {
        const key = JSON.stringify([p.ecosystem, p.name, p.version, p.sourceName, p.sourceVersion, p.arch]);
        expect(p).toBe(seen.get(key) ?? p);
        seen.set(key, p);
        packages++;
      }
    }
    expect(packages).toBeGreaterThan(seen.size * 10);
  });

  it('reads files in the main thread while it would wait, in order all the same', async () => {
    const listed = listInputFiles([fleet]);
    const want = await collect(readListedInventories(listed, { inventory: { packageCache: new PackageCache() } }));
    // One file ahead for the thread: the scan waits on nearly every file, so it reads many itself.
    const pool = new ScanThreadPool(listed, { threads: 1, aheadPerThread: 1, packageCache: new PackageCache() });
    const got: InventoryReadEvent[] = [];
    for await (const e of pool.events()) {
      got.push(e);
      // Some work per host, as matching and output are, so that the thread is not always behind.
      if (e.kind === 'parsed') await new Promise((resolve) => setImmediate(resolve));
    }
    expect(got.map(plain)).toEqual(want.map(plain));
    expect(pool.filesReadHere).toBeGreaterThan(0);
  });

  it.each(['thread-that-cannot-start.js', 'thread-that-exits.js'])('reads what a dead thread was given in the main thread (%s)', async (entry) => {
    const listed = listInputFiles(paths());
    const want = await collect(readListedInventories(listed, { inventory: { packageCache: new PackageCache() } }));
    const threadEntry = new URL(`./support/${entry}`, import.meta.url);
    const pool = new ScanThreadPool(listed, { threads: 2, aheadPerThread: 8, packageCache: new PackageCache(), threadEntry });
    const got = await collect(pool.events());
    expect(got.map(plain)).toEqual(want.map(plain));
    expect(pool.filesReadHere).toBe(listed.filter((e) => e.kind === 'file').length);
  });

  it('stops its threads when the scan stops early', async () => {
    const pool = new ScanThreadPool(listInputFiles([fleet]), { threads: 2, packageCache: new PackageCache() });
    for await (const e of pool.events()) if (e.kind === 'parsed') break;
    // Closed by the generator's end: a second close has nothing left to stop.
    await expect(pool.close()).resolves.toBeUndefined();
  });
});

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function scan(inventories: string[], options: Partial<ScanCommandOptions>): Promise<Run> {
  const sink = (chunks: string[]): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
  const out: string[] = [];
  const err: string[] = [];
  const opts: ScanCommandOptions = { advisories: [advisories], nvd: [], format: 'json', type: [], strict: false, ...options };
  let status: number;
  try {
    status = await scanCommand(inventories, opts, { stdout: sink(out), stderr: sink(err), version: '0.0.0' });
  } catch (e) {
    if (!isPatchwiseError(e)) throw e;
    err.push(`patchwise: ${e.message}\n`);
    status = 2;
  }
  return { status, stdout: out.join(''), stderr: err.join('') };
}

describe('patchwise scan --jobs', () => {
  it.each([
    ['json', false],
    ['table', false],
    ['csv', true],
  ])('writes the same bytes, messages and exit code with 0, 1 and 2 threads (--format %s, strict %s)', async (format, strict) => {
    // Strict stops at the first skipped input: here the malformed one in the middle of the fleet.
    const inventories = strict ? [fleet] : paths();
    const runs = await Promise.all(['0', '1', '2'].map((jobs) => scan(inventories, { jobs, format, strict, failOn: 'P4' })));
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    const first = runs[0] as Run;
    expect(first.stderr).toContain('host-00030-bad.cdx.json: not valid JSON at line 2');
    expect(first.status).toBe(strict ? 2 : 1);
    expect(first.stdout.includes('host-00029')).toBe(true);
    expect(first.stdout.includes('host-00089')).toBe(!strict);
  });

  it('scans a single file in threads as without', async () => {
    const file = [join(fleet, 'host-00007.cdx.json')];
    const [inThread, threaded] = await Promise.all([scan(file, { jobs: '0' }), scan(file, { jobs: '2' })]);
    expect(threaded).toEqual(inThread);
    expect(inThread.stdout).toContain('{"host":"host-00007"');
  });

  it('refuses a --jobs that is not a whole number in range', async () => {
    for (const jobs of ['two', '-1', '1.5', '65']) {
      const r = await scan([fleet], { jobs });
      expect([r.status, r.stderr]).toEqual([2, `patchwise: --jobs must be a whole number from 0 to 64, not "${jobs}"\n`]);
    }
  });

  it('runs its threads from the installed command, started outside the repository', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pw-scan-cwd-'));
    try {
      const args = [BIN, 'scan', '--advisories', advisories, '--format', 'csv', fleet];
      const threaded = spawnSync(process.execPath, [...args, '--jobs', '2'], { cwd, encoding: 'utf8' });
      const inThread = spawnSync(process.execPath, [...args, '--jobs', '0'], { cwd, encoding: 'utf8' });
      expect([threaded.status, threaded.stderr]).toEqual([inThread.status, inThread.stderr]);
      expect(threaded.stdout).toBe(inThread.stdout);
      expect(threaded.stdout.split('\n').length).toBeGreaterThan(90);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!existsSync(resolve(REPO, '../shared/data')))('patchwise scan --jobs on the output-equality fixtures', () => {
  const fixtures = join(dir, 'equality');
  const at = (path: string): string => join(fixtures, path);
  beforeAll(async () => {
    await buildEqualityFixtures(fixtures);
  }, 120_000);

  // Real feed samples, enrichment, every inventory format, inputs that are no inventory, mutants.
  const configs = (): Record<string, [string[], Partial<ScanCommandOptions>]> => ({
    'fleet-intel': [
      [at(FIXTURES.fleet), at(FIXTURES.mutants)],
      { advisories: [at(FIXTURES.almaFeed), at(FIXTURES.pypiFeed)], epss: at(FIXTURES.epss), nvd: [at(FIXTURES.nvd)] },
    ],
    'fixtures-mixed': [[at(FIXTURES.readerFixtures), at(FIXTURES.attributes)], { advisories: [at(FIXTURES.almaFeed)], failOn: 'P3' }],
    strict: [[at(FIXTURES.mutants), at(FIXTURES.readerFixtures)], { advisories: [at(FIXTURES.almaFeed)], strict: true }],
  });

  it.each(['fleet-intel', 'fixtures-mixed', 'strict'])('%s: the same bytes in every format with 0 and 2 threads', async (name) => {
    const [inventories, options] = configs()[name] as [string[], Partial<ScanCommandOptions>];
    for (const format of ['table', 'json', 'csv', 'sarif']) {
      const [inThread, threaded] = await Promise.all([scan(inventories, { ...options, format, jobs: '0' }), scan(inventories, { ...options, format, jobs: '2' })]);
      expect(threaded).toEqual(inThread);
      expect(inThread.stdout.length).toBeGreaterThan(100);
    }
  });
});
