/**
 * Pre-parsed version comparisons per second, per scheme, on one core.
 *
 *   node --import tsx bench/versions-compare.ts [--millions N]
 *
 * Versions are real where the data is at hand: rpm from the AlmaLinux OSV feed, dpkg from this
 * machine's `dpkg-query`, apk from the Alpine secdb, PEP 440 from the PyPA advisory database
 * (all under ../shared/data/); SemVer and generic use seeded synthetic versions. Each scheme
 * parses its pool once, then compares random pairs and sorted neighbours (indexes drawn in
 * advance, so the timed loop does nothing but compare). Exits 1 when dpkg or rpm falls below 2,000,000 comparisons/s in
 * any timed run: the floor the matching engine is designed around.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { apkScheme, dpkgScheme, genericScheme, pep440Scheme, rpmScheme, semverScheme } from '@patchwise/core';
import type { VersionScheme } from '@patchwise/core';

const FLOOR = 2_000_000;
const GATED = new Set(['dpkg', 'rpm']);
const POOL_LIMIT = 4000;
const RUNS = 5;
const DATA = new URL('../../shared/data/', import.meta.url).pathname;

const millionsArg = process.argv.indexOf('--millions');
const MILLIONS = millionsArg > 0 ? Number(process.argv[millionsArg + 1]) : 5;

/** mulberry32, so pools and pairs are the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function tarText(archive: string, pattern: string): string {
  if (!existsSync(archive)) return '';
  const r = spawnSync('tar', ['-xzOf', archive, '--wildcards', pattern], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return r.status === 0 ? r.stdout : '';
}

function rpmVersions(): string[] {
  const text = tarText(`${DATA}osv/almalinux-osv-database.tar.gz`, '*.json');
  return unique([...text.matchAll(/"(?:introduced|fixed|last_affected)"\s*:\s*"([^"]+)"/g)].map((m) => m[1] ?? ''));
}

function dpkgVersions(): string[] {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}\n'], { encoding: 'utf8' });
  const found = r.status === 0 ? r.stdout.split('\n') : [];
  // A Debian machine has a few hundred packages; widen the pool with the Ubuntu OSV samples.
  const samples = `${DATA}osv/samples/`;
  if (existsSync(samples)) {
    for (const f of readdirSync(samples, { recursive: true, encoding: 'utf8' })) {
      if (!f.startsWith('ubuntu') || !f.endsWith('.json')) continue;
      const text = readFileSync(samples + f, 'utf8');
      for (const m of text.matchAll(/"(?:introduced|fixed|last_affected|binary_version)"\s*:\s*"([^"]+)"|^\s+"(\d[^"]*)",?$/gm)) found.push(m[1] ?? m[2] ?? '');
    }
  }
  return unique(found.filter((v) => v !== ''));
}

function apkVersions(): string[] {
  const dir = `${DATA}alpine-secdb/`;
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const f of readdirSync(dir)) {
    for (const m of readFileSync(dir + f, 'utf8').matchAll(/^ {8}([0-9][^:\s]*):\s*$/gm)) found.push(m[1] ?? '');
  }
  return unique(found);
}

function pep440Versions(): string[] {
  const text = tarText(`${DATA}osv/pypa-advisory-database.tar.gz`, '*.yaml');
  return unique([...text.matchAll(/(?:introduced: |fixed: |^ {2}- )"?([0-9][^"\s]*)"?$/gm)].map((m) => m[1] ?? ''));
}

function syntheticSemver(next: () => number): string[] {
  const out: string[] = [];
  const n = (k: number): number => Math.floor(next() * k);
  for (let i = 0; i < POOL_LIMIT; i++) {
    let v = `${n(20)}.${n(30)}.${n(100)}`;
    if (next() < 0.3) v += `-${['alpha', 'beta', 'rc', '0', 'next'][n(5)] ?? 'rc'}.${n(12)}`;
    if (next() < 0.1) v += `+build.${n(1000)}`;
    out.push(v);
  }
  return unique(out);
}

function syntheticGeneric(next: () => number): string[] {
  const out: string[] = [];
  const n = (k: number): number => Math.floor(next() * k);
  for (let i = 0; i < POOL_LIMIT; i++) {
    let v = `${n(10)}.${n(20)}`;
    if (next() < 0.7) v += `.${n(50)}`;
    if (next() < 0.3) v += `-${['RC', 'Final', 'SNAPSHOT', 'beta', 'M'][n(5)] ?? 'RC'}${n(5)}`;
    out.push(v);
  }
  return unique(out);
}

/** Parses what parses (reporting the rest) and samples at most POOL_LIMIT versions. */
function pool<V>(scheme: VersionScheme<V>, texts: readonly string[], next: () => number): { parsed: V[]; rejected: number } {
  const parsed: V[] = [];
  let rejected = 0;
  for (const t of texts) {
    try {
      parsed.push(scheme.parse(t));
    } catch {
      rejected++;
    }
  }
  for (let i = parsed.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [parsed[i], parsed[j]] = [parsed[j] as V, parsed[i] as V];
  }
  return { parsed: parsed.slice(0, POOL_LIMIT), rejected };
}

/** Times `count` comparisons of pre-drawn random pairs; returns comparisons per second. */
function timeRun<V>(scheme: VersionScheme<V>, parsed: readonly V[], left: Uint32Array, right: Uint32Array, count: number): number {
  const mask = left.length - 1;
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    sink += scheme.compare(parsed[left[i & mask] ?? 0] as V, parsed[right[i & mask] ?? 0] as V);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink === Number.MIN_SAFE_INTEGER) console.log('unreachable', sink); // keep the loop alive
  return count / seconds;
}

interface Row {
  scheme: string;
  pairs: 'random' | 'neighbours';
  versions: number;
  rejected: number;
  median: number;
  slowest: number;
}

/**
 * Two workloads per scheme: random pairs of the pool, and neighbours in sorted order (the
 * versions of one package: long common prefixes, the slow case for a string comparison).
 */
function bench<V>(name: string, scheme: VersionScheme<V>, texts: readonly string[], seed: number): Row[] {
  const next = random(seed);
  const { parsed, rejected } = pool(scheme, texts, next);
  if (parsed.length < 2) {
    console.error(`${name}: no versions available, skipped`);
    return [];
  }
  const sorted = [...parsed].sort((a, b) => scheme.compare(a, b));
  const size = 1 << 20;
  const count = Math.max(1, Math.round(MILLIONS * 1e6));
  const rows: Row[] = [];
  for (const pairs of ['random', 'neighbours'] as const) {
    const left = new Uint32Array(size);
    const right = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      const k = Math.floor(next() * (parsed.length - 1));
      left[i] = k;
      right[i] = pairs === 'random' ? Math.floor(next() * parsed.length) : k + 1;
    }
    const versions = pairs === 'random' ? parsed : sorted;
    timeRun(scheme, versions, left, right, Math.min(count, 2_000_000)); // warm-up: let the JIT settle
    const rates: number[] = [];
    for (let r = 0; r < RUNS; r++) rates.push(timeRun(scheme, versions, left, right, count));
    rates.sort((a, b) => a - b);
    rows.push({ scheme: name, pairs, versions: parsed.length, rejected, median: rates[Math.floor(RUNS / 2)] ?? 0, slowest: rates[0] ?? 0 });
  }
  return rows;
}

const SCHEMES: Record<string, () => Row[]> = {
  dpkg: () => bench('dpkg', dpkgScheme, dpkgVersions(), 1),
  rpm: () => bench('rpm', rpmScheme, rpmVersions(), 2),
  apk: () => bench('apk', apkScheme, apkVersions(), 3),
  pep440: () => bench('pep440', pep440Scheme, pep440Versions(), 4),
  semver: () => bench('semver', semverScheme, syntheticSemver(random(5)), 5),
  generic: () => bench('generic', genericScheme, syntheticGeneric(random(6)), 6),
};

/**
 * Each scheme runs in its own process: in one process the timed loop's call to
 * `scheme.compare` turns polymorphic after the first scheme, and later schemes would be measured
 * slower for a reason that has nothing to do with them.
 */
function measureInChild(name: string): Row[] {
  const args = [...process.execArgv, new URL(import.meta.url).pathname, '--scheme', name, '--millions', String(MILLIONS)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${name}: benchmark process failed (${String(r.status)})`);
  return JSON.parse(r.stdout) as Row[];
}

function main(): void {
  const only = process.argv.indexOf('--scheme');
  if (only > 0) {
    const run = SCHEMES[process.argv[only + 1] ?? ''];
    if (!run) throw new Error(`unknown scheme; one of ${Object.keys(SCHEMES).join(', ')}`);
    process.stdout.write(JSON.stringify(run()));
    return;
  }
  const cpu = cpus()[0]?.model.trim() ?? 'unknown cpu';
  console.log(`machine: ${cpu} (${cpus().length} logical cpus), ${platform()} ${release()}, node ${process.version}`);
  console.log(`date: ${new Date().toISOString()}`);
  console.log(
    `method: per scheme, in its own process, ${RUNS} timed runs of ${MILLIONS} million pre-parsed comparisons, one core; ` +
      `floor ${FLOOR.toLocaleString('en-US')}/s for dpkg and rpm\n`,
  );
  const rows = Object.keys(SCHEMES).flatMap(measureInChild);

  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log('| scheme | pairs | versions (rejected) | comparisons/s, median | slowest run | median / floor |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const gated = GATED.has(r.scheme) ? '' : ' (info)';
    console.log(
      `| ${r.scheme} | ${r.pairs} | ${r.versions} (${r.rejected}) | ${fmt(r.median)} | ${fmt(r.slowest)} | ${(r.median / FLOOR).toFixed(1)}x${gated} |`,
    );
  }

  const failing = rows.filter((r) => GATED.has(r.scheme) && r.slowest < FLOOR);
  const missing = [...GATED].filter((s) => !rows.some((r) => r.scheme === s));
  if (failing.length > 0 || missing.length > 0) {
    for (const r of failing) console.error(`FAIL: ${r.scheme} (${r.pairs} pairs) slowest run ${fmt(r.slowest)}/s is below the floor ${fmt(FLOOR)}/s`);
    for (const s of missing) console.error(`FAIL: no ${s} versions to measure`);
    process.exit(1);
  }
  console.log('\nok: dpkg and rpm are above the floor in every run of both workloads');
}

main();
