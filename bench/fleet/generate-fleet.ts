/**
 * Seeded generator of a synthetic but realistic fleet: one CycloneDX 1.5 JSON SBOM per host, built
 * from the package names and fixed versions of the REAL AlmaLinux OSV feed (and optionally the PyPA
 * feed), so that scanning it exercises the same names, epochs and release strings as production.
 *
 * Realism that matters for matching and for speed:
 * - hosts are spread over AlmaLinux 8, 9 and 10 point releases;
 * - ~70% of a host's rpm names are known to the feed for its release, ~30% are made up (most real
 *   packages never had an advisory);
 * - versions are mostly at or above the latest fix, some exactly at an older fix, some just below a
 *   fix (release decremented), and a few play with epochs (stripped, or added where fixes have none);
 * - hosts come from ~50 base images and deviate from theirs in a few percent of packages, as real
 *   fleets do (this is what makes content-addressed inventory snapshots and caching pay off).
 *
 * Everything is drawn from one seeded PRNG over sorted inputs, so a seed always gives the same bytes.
 * Usage: node --import tsx bench/fleet/generate-fleet.ts --out DIR --hosts 10000 --packages 1000 --seed 1 [--pypi 30]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAdvisories, normalizeName, pep440Scheme, rpmScheme, type Advisory } from '@patchwise/core';
import { seededRandom } from '../../test/support/seeded-random.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ALMA_FEED = resolve(ROOT, '../shared/data/osv/almalinux-osv-database.tar.gz');
export const PYPI_FEED = resolve(ROOT, '../shared/data/osv/pypa-advisory-database.tar.gz');

export interface FleetOptions {
  readonly outDir: string;
  readonly hosts: number;
  readonly packagesPerHost: number;
  readonly seed: number;
  /** PyPI components per host (0: none, and the PyPI feed is not read). */
  readonly pypiPerHost?: number;
  /** Distinct base images the hosts are cloned from. */
  readonly images?: number;
  readonly almaFeed?: string;
  readonly pypiFeed?: string;
}

export interface FleetSummary {
  readonly hosts: number;
  readonly images: number;
  readonly bytes: number;
  readonly files: string[];
}

/** Release major → point releases a host may run, with the share of base images on that major. */
type Release = { major: number; minors: readonly string[]; weight: number };
const RELEASES: readonly [Release, ...Release[]] = [
  { major: 8, minors: ['8.6', '8.8', '8.9', '8.10'], weight: 0.45 },
  { major: 9, minors: ['9.2', '9.3', '9.4', '9.5', '9.6'], weight: 0.45 },
  { major: 10, minors: ['10.0'], weight: 0.1 },
];


type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

/** k distinct elements, in random order (partial Fisher–Yates on a copy). */
function sample<T>(rng: Rng, xs: readonly T[], k: number): T[] {
  const a = xs.slice();
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (a.length - i));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a.slice(0, n);
}

/** rpmScheme's parsed version (its type is not exported by name). */
type RpmVersion = ReturnType<typeof rpmScheme.parse>;

/**
 * An EVR split as the purl spells it: epoch ('' or '0' when none, as rpm reads them), version,
 * release (undefined when none). The fixes come split by rpmScheme.parse; the generator derives
 * installed versions from them field by field, and never compares them itself.
 */
type Evr = { readonly epoch: string; readonly version: string; readonly release: string | undefined };

/** Adds `delta` to the leading number of the release ("14.el8_3" → "13.el8_3"); undefined if it cannot. */
function shiftRelease(e: Evr, delta: number): Evr | undefined {
  const m = /^(\d+)(.*)$/.exec(e.release ?? '');
  if (!m) return undefined;
  const n = Number(m[1]) + delta;
  return n < 0 ? undefined : { ...e, release: `${n}${m[2] as string}` };
}

/** Advisories of one feed archive, read by the product's own loader, in file order (sorted by source). */
async function loadFeed(archive: string): Promise<Advisory[]> {
  const { advisories, problems } = await loadAdvisories([archive]);
  if (advisories.length === 0) throw new Error(`${archive}: no advisories${problems[0] ? ` (${problems[0].message})` : ''}`);
  return advisories.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/** AlmaLinux major → package name → its fixed versions, ascending. */
type RpmFeed = Map<number, Map<string, Evr[]>>;

/**
 * Orders the feed's fixed versions (which is the latest fix, which are older ones) with the
 * product's rpmScheme. A mistake here would only make the fleet less realistic: which installed
 * versions are affected is decided by the scanner and the oracle, never by this file.
 */
export async function loadAlmaFeed(archive: string): Promise<RpmFeed> {
  const parsed = new Map<number, Map<string, RpmVersion[]>>();
  for (const adv of await loadFeed(archive)) {
    for (const a of adv.affected) {
      const major = Number(/^AlmaLinux:(\d+)$/.exec(a.ecosystem)?.[1]);
      if (!major) continue;
      for (const r of a.ranges) {
        for (const ev of r.events) {
          if (ev.fixed === undefined) continue;
          let names = parsed.get(major);
          if (!names) parsed.set(major, (names = new Map<string, RpmVersion[]>()));
          let fixes = names.get(a.name);
          if (!fixes) names.set(a.name, (fixes = []));
          fixes.push(rpmScheme.parse(ev.fixed));
        }
      }
    }
  }
  const feed: RpmFeed = new Map();
  for (const [major, names] of parsed) {
    const out = new Map<string, Evr[]>();
    feed.set(major, out);
    for (const [name, fixes] of names) {
      fixes.sort((x, y) => rpmScheme.compare(x, y));
      const distinct = fixes.filter((f, i) => i === 0 || rpmScheme.compare(f, fixes[i - 1] as RpmVersion) !== 0);
      out.set(name, distinct.map(({ epoch, version, release }) => ({ epoch, version, release })));
    }
  }
  return feed;
}

/**
 * PyPI name (PEP 503-normalised, as the loader gives it) → every version its advisories mention
 * (range events and enumerated versions; the loader leaves GIT ranges, which are commits, out).
 */
export async function loadPypiFeed(archive: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const adv of await loadFeed(archive)) {
    for (const a of adv.affected) {
      if (a.ecosystem !== 'PyPI') continue;
      let versions = out.get(a.name);
      if (!versions) out.set(a.name, (versions = new Set()));
      for (const r of a.ranges) {
        for (const ev of r.events) for (const v of [ev.introduced, ev.fixed, ev.last_affected, ev.limit]) if (v !== undefined) versions.add(v);
      }
      for (const v of a.versions) versions.add(v);
    }
  }
  // Installed versions must be valid PEP 440 as written (no blanks): what pip would install.
  for (const vs of out.values()) for (const v of vs) if (v === '0' || /\s/.test(v) || !isPep440(v)) vs.delete(v);
  for (const [name, vs] of out) if (vs.size === 0) out.delete(name);
  return out;
}

function isPep440(v: string): boolean {
  try {
    pep440Scheme.parse(v);
    return true;
  } catch {
    return false;
  }
}

/**
 * A spelling of a normalised PyPI name that is not normalised ("python-dateutil" →
 * "Python_dateutil") but names the same project under PEP 503; undefined if there is none.
 */
function unnormalised(name: string): string | undefined {
  const spelled = name.replaceAll('-', '_').replace(/^./, (c) => c.toUpperCase());
  return spelled !== name && normalizeName('PyPI', spelled) === name ? spelled : undefined;
}

/** One package of a base image: the line it has there, and the line a deviating clone has. */
type Slot = { base: string; alt: string };

type Image = { os: string; slots: Slot[] };

const STEMS = ['acme', 'nimbus', 'quartz', 'orbit', 'falcon', 'tundra', 'cobalt', 'ember', 'lumen', 'vortex', 'pylon', 'zephyr'];
const PREFIXES = ['', 'lib', 'python3-', 'perl-', 'golang-', 'rubygem-', 'texlive-', 'fonts-'];
const SUFFIXES = ['', '-devel', '-libs', '-common', '-tools', '-doc', '-agent', '-plugins'];

// Lines are built once per base image (JSON.stringify), then reused by every clone of it.
function rpmLine(name: string, e: Evr, arch: string, distro: string): string {
  const vr = e.release ? `${e.version}-${e.release}` : e.version;
  const epoch = Number(e.epoch) !== 0 ? `&epoch=${e.epoch}` : '';
  return JSON.stringify({ type: 'library', name, version: vr, purl: `pkg:rpm/almalinux/${name}@${vr}?arch=${arch}${epoch}&distro=${distro}` });
}

const pypiLine = (name: string, v: string): string => JSON.stringify({ type: 'library', name, version: v, purl: `pkg:pypi/${name}@${v}` });

/** A version for a package the feed knows: mostly patched, some at older fixes, some just below one. */
function chooseEvr(rng: Rng, fixes: readonly Evr[]): Evr {
  const latest = fixes[fixes.length - 1] as Evr;
  const r = rng();
  if (r < 0.5) return latest;
  if (r < 0.6) return shiftRelease(latest, 1) ?? latest;
  // Lagging hosts are mostly a few updates behind, rarely years (kernel has >100 fixes).
  const older = rng() < 0.8 ? fixes.slice(-4) : fixes;
  if (r < 0.77) return pick(rng, older);
  if (r < 0.92) return shiftRelease(pick(rng, older), -1) ?? latest;
  // Epoch edge cases: an installed epoch below the fixes' (affected by every fix) or above it.
  if (r < 0.96 && Number(latest.epoch) !== 0) return { ...latest, epoch: '' };
  return { ...latest, epoch: String(Number(latest.epoch) + 1) };
}

function madeUpEvr(rng: Rng, major: number): Evr {
  const v = `${1 + Math.floor(rng() * 9)}.${Math.floor(rng() * 20)}.${Math.floor(rng() * 12)}`;
  const release = `${1 + Math.floor(rng() * 30)}.el${major}${rng() < 0.5 ? `_${Math.floor(rng() * 6)}` : ''}`;
  return { epoch: rng() < 0.05 ? '1' : '0', version: v, release };
}

function buildImage(rng: Rng, rpm: RpmFeed, pypi: Map<string, Set<string>>, pypiNames: string[], opts: Required<FleetOptions>): Image {
  let w = rng();
  const rel = RELEASES.find((r) => (w -= r.weight) < 0) ?? RELEASES[0];
  const os = pick(rng, rel.minors);
  const distro = `almalinux-${os}`;
  const known = rpm.get(rel.major) ?? new Map<string, Evr[]>();
  const knownNames = [...known.keys()].sort();
  const nKnown = Math.min(knownNames.length, Math.round(opts.packagesPerHost * 0.7));
  const slots: Slot[] = [];
  const arch = (): string => (rng() < 0.93 ? 'x86_64' : 'noarch');
  for (const name of sample(rng, knownNames, nKnown)) {
    const fixes = known.get(name) as Evr[];
    const a = arch();
    slots.push({ base: rpmLine(name, chooseEvr(rng, fixes), a, distro), alt: rpmLine(name, chooseEvr(rng, fixes), a, distro) });
  }
  // Made-up names must not collide with any release's feed names, nor with each other.
  const taken = new Set<string>(knownNames);
  for (const names of rpm.values()) for (const n of names.keys()) taken.add(n);
  while (slots.length < opts.packagesPerHost) {
    const name = `${pick(rng, PREFIXES)}${pick(rng, STEMS)}${pick(rng, STEMS)}${Math.floor(rng() * 100)}${pick(rng, SUFFIXES)}`;
    if (taken.has(name)) continue;
    taken.add(name);
    const a = arch();
    slots.push({ base: rpmLine(name, madeUpEvr(rng, rel.major), a, distro), alt: rpmLine(name, madeUpEvr(rng, rel.major), a, distro) });
  }
  // The feed's names are distinct once normalised, so a sample never installs a project twice.
  for (const name of sample(rng, pypiNames, opts.pypiPerHost)) {
    const vs = [...(pypi.get(name) as Set<string>)];
    // Some SBOMs spell names as the project does, not normalised (PEP 503): keep the matcher honest.
    const spelled = (rng() < 0.2 ? unnormalised(name) : undefined) ?? name;
    slots.push({ base: pypiLine(spelled, pick(rng, vs)), alt: pypiLine(spelled, pick(rng, vs)) });
  }
  return { os, slots };
}

function uuid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** Generates the fleet into `outDir` (created if missing), one `host-NNNNN.cdx.json` per host. */
export async function generateFleet(options: FleetOptions): Promise<FleetSummary> {
  const opts: Required<FleetOptions> = {
    ...options,
    pypiPerHost: options.pypiPerHost ?? 0,
    images: Math.max(1, options.images ?? 50),
    almaFeed: options.almaFeed ?? ALMA_FEED,
    pypiFeed: options.pypiFeed ?? PYPI_FEED,
  };
  const rng = seededRandom(opts.seed);
  const rpm = await loadAlmaFeed(opts.almaFeed);
  const pypi = opts.pypiPerHost > 0 ? await loadPypiFeed(opts.pypiFeed) : new Map<string, Set<string>>();
  const pypiNames = [...pypi.keys()].sort();
  const images = Array.from({ length: opts.images }, () => buildImage(rng, rpm, pypi, pypiNames, opts));
  // Popular images host most machines (roughly Zipf), as in real fleets.
  const weights = images.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((s, x) => s + x, 0);
  mkdirSync(opts.outDir, { recursive: true });
  const width = Math.max(5, String(opts.hosts).length);
  const files: string[] = [];
  let bytes = 0;
  for (let h = 0; h < opts.hosts; h++) {
    // The first hosts take each image once, so a small fleet still covers every image.
    let img = h;
    if (h >= images.length) {
      let w = rng() * total;
      img = weights.findIndex((x) => (w -= x) < 0);
      if (img < 0) img = images.length - 1;
    }
    const image = images[img] as Image;
    const host = `host-${String(h).padStart(width, '0')}`;
    const deviation = 0.005 + rng() * 0.045;
    const parts: string[] = [
      `{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:${uuid(rng)}","version":1,`,
      `"metadata":{"timestamp":"2025-01-01T00:00:00Z","component":{"type":"device","name":"${host}"}},"components":[\n`,
      `{"type":"operating-system","name":"almalinux","version":"${image.os}"}`,
    ];
    for (const slot of image.slots) parts.push(',\n', rng() < deviation ? slot.alt : slot.base);
    parts.push('\n]}\n');
    const file = join(opts.outDir, `${host}.cdx.json`);
    // One host at a time (~100–150 KB): memory stays flat however large the fleet.
    const text = parts.join('');
    writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
    files.push(file);
  }
  return { hosts: opts.hosts, images: images.length, bytes, files };
}

function cliOptions(argv: string[]): FleetOptions {
  const { values: v } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      ['out', 'hosts', 'packages', 'seed', 'pypi', 'images', 'alma', 'pypi-feed'].map((k) => [k, { type: 'string' as const }]),
    ),
  });
  const num = (flag: string, dflt: number): number => {
    const n = v[flag] === undefined ? dflt : Number(v[flag]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag}: expected a non-negative integer, got ${String(v[flag])}`);
    return n;
  };
  if (typeof v.out !== 'string') throw new Error('usage: generate-fleet.ts --out DIR [--hosts N] [--packages N] [--seed N] [--pypi N] [--images N]');
  return {
    outDir: v.out,
    hosts: num('hosts', 100),
    packagesPerHost: num('packages', 1000),
    seed: num('seed', 1),
    pypiPerHost: num('pypi', 0),
    images: num('images', 50),
    almaFeed: typeof v.alma === 'string' ? v.alma : ALMA_FEED,
    pypiFeed: typeof v['pypi-feed'] === 'string' ? v['pypi-feed'] : PYPI_FEED,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const started = performance.now();
  const opts = cliOptions(process.argv.slice(2));
  const { hosts, images, bytes } = await generateFleet(opts);
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  const perHost = (bytes / Math.max(1, hosts) / 1024).toFixed(0);
  process.stdout.write(`${hosts} hosts from ${images} images in ${secs} s: ${(bytes / 1e6).toFixed(1)} MB (${perHost} KiB per host) in ${opts.outDir}\n`);
}
