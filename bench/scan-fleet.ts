/**
 * Benchmark: a full `patchwise scan` of a synthetic fleet made from the real AlmaLinux feed,
 * against the floor of merely reading and JSON.parse-ing the same files, in the same run.
 *
 *   node --import tsx bench/scan-fleet.ts [--hosts 10000] [--packages 1000] [--rounds 2] [--jobs auto,0,1,2]
 *
 * Prints time and peak RSS of each, and the ratio scan/floor. Goal (issue 2): ratio ≤ 2,
 * scan peak RSS ≤ 1 GiB. Exits 1 when either goal is missed (judged on the first --jobs value).
 * --jobs lists the scan's parser-thread settings to measure in each round, beside one floor
 * ("auto": the scan's own choice, no flag; 0: the main thread only). The fleet is generated once
 * into bench/out/ and reused while its parameters are unchanged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ALMA_FEED, generateFleet } from './fleet/generate-fleet.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench/out');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const hosts = arg('--hosts', 10000);
const packages = arg('--packages', 1000);
const rounds = arg('--rounds', 2);
const jobsAt = process.argv.indexOf('--jobs');
const variants = (jobsAt >= 0 ? (process.argv[jobsAt + 1] ?? '') : 'auto').split(',');

async function prepare(): Promise<{ fleet: string; advisories: string }> {
  mkdirSync(OUT, { recursive: true });
  const advisories = join(OUT, 'almalinux-advisories');
  if (!existsSync(join(advisories, '.done'))) {
    rmSync(advisories, { recursive: true, force: true });
    mkdirSync(advisories);
    execFileSync('tar', ['-xzf', ALMA_FEED, '-C', advisories]);
    writeFileSync(join(advisories, '.done'), '');
  }
  const fleet = join(OUT, `fleet-${hosts}x${packages}`);
  if (!existsSync(join(fleet, '.done'))) {
    rmSync(fleet, { recursive: true, force: true });
    const started = performance.now();
    const summary = await generateFleet({ outDir: fleet, hosts, packagesPerHost: packages, seed: 1 });
    writeFileSync(join(fleet, '.done'), '');
    console.log(`generated ${summary.hosts} hosts (${(summary.bytes / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { fleet, advisories: join(advisories, 'advisories') };
}

interface Measure {
  seconds: number;
  rssMiB: number;
}

function measure(args: string[], stdoutFile: string): Measure {
  const rssFile = join(tmpdir(), `pw-bench-rss-${process.pid}`);
  const out = openSync(stdoutFile, 'w');
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--require', join(ROOT, 'bench/support/report-max-rss.cjs'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, PW_BENCH_RSS_FILE: rssFile },
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - started) / 1000;
  closeSync(out);
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 2000)}`);
  return { seconds, rssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

const { fleet, advisories } = await prepare();
const floorArgs = [join(ROOT, 'bench/support/read-and-parse.mjs'), advisories, fleet];
const scanArgs = [join(ROOT, 'packages/cli/bin/patchwise.js'), 'scan', '--advisories', advisories, '--format', 'json', fleet];
// tmpfs when there is one: the figure is the scan's, not the disk's.
const output = existsSync('/dev/shm') ? join('/dev/shm', `pw-scan-output-${process.pid}.json`) : join(OUT, 'scan-output.json');

const jobsArgs = (v: string): string[] => (v === 'auto' ? [] : ['--jobs', v]);
let floor: Measure | undefined;
const best = new Map<string, Measure>();
for (let round = 0; round < rounds; round++) {
  const f = measure(floorArgs, '/dev/null');
  const line = [`round ${round + 1}: floor ${f.seconds.toFixed(2)} s`];
  if (!floor || f.seconds < floor.seconds) floor = f;
  for (const v of variants) {
    const s = measure([...scanArgs, ...jobsArgs(v)], output);
    line.push(`scan --jobs ${v} ${s.seconds.toFixed(2)} s (${(s.seconds / f.seconds).toFixed(2)})`);
    const b = best.get(v);
    if (!b || s.seconds < b.seconds) best.set(v, s);
  }
  console.log(line.join(', '));
}
if (!floor) throw new Error('--rounds must be at least 1');

const findings = await countOccurrences(output, '"advisory":');
rmSync(output, { force: true });
console.log(`machine: ${cpus()[0]?.model ?? 'unknown cpu'} ×${cpus().length}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`fleet: ${hosts} hosts × ${packages} packages; ${findings} findings`);
console.log(`floor (read + JSON.parse): ${floor.seconds.toFixed(2)} s, peak RSS ${floor.rssMiB.toFixed(0)} MiB`);
for (const [i, v] of variants.entries()) {
  const scan = best.get(v) as Measure;
  const ratio = scan.seconds / floor.seconds;
  console.log(`scan --jobs ${v} (--format json): ${scan.seconds.toFixed(2)} s, peak RSS ${scan.rssMiB.toFixed(0)} MiB; ratio scan/floor ${ratio.toFixed(2)}`);
  if (i === 0 && (ratio > 2 || scan.rssMiB > 1024)) process.exitCode = 1;
}
console.log('goals: ratio ≤ 2.00, peak memory ≤ 1024 MiB (judged on the first --jobs value)');

/** Counts a marker in a file too large to hold as one string. */
async function countOccurrences(path: string, marker: string): Promise<number> {
  let count = 0;
  let carry = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 22 })) {
    const text = carry + (chunk as string);
    for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + marker.length)) count++;
    carry = text.slice(Math.max(0, text.length - marker.length + 1));
  }
  return count;
}
