/**
 * A seeded synthetic but realistic fleet, built from the package names and fixed versions of the
 * REAL AlmaLinux OSV feed (and optionally the PyPA feed), so that assessing it exercises the same
 * names, epochs and release strings as production.
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
 * Everything is drawn from one seeded PRNG over sorted inputs, so a seed always gives the same
 * fleet. Hosts are drawn one at a time (`nextHost`) and hold only their image and the slots where
 * they deviate, so a fleet of any size costs memory for its images only.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeName } from '@patchwise/core';
import { loadAlmaFeed, loadPypiFeed, type Evr, type RpmFeed } from './feed-versions.js';
import { seededRandom } from './seeded-random.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The real feeds, in the shared data directory beside the repository. */
export const ALMA_FEED = resolve(ROOT, '../shared/data/osv/almalinux-osv-database.tar.gz');
export const PYPI_FEED = resolve(ROOT, '../shared/data/osv/pypa-advisory-database.tar.gz');

export interface SyntheticFleetOptions {
  readonly packagesPerHost: number;
  readonly seed: number;
  /** PyPI packages per host (0: none, and the PyPI feed is not read). */
  readonly pypiPerHost?: number;
  /** Distinct base images the hosts are cloned from. */
  readonly images?: number;
  readonly almaFeed?: string;
  readonly pypiFeed?: string;
}

/** One installed package of the synthetic fleet. */
export type FleetPackage =
  | { readonly kind: 'rpm'; readonly name: string; readonly evr: Evr; readonly arch: string }
  | { readonly kind: 'pypi'; readonly name: string; readonly version: string };

/** One package of a base image: what it has there, and what a deviating clone has. */
export interface FleetSlot {
  readonly base: FleetPackage;
  readonly alt: FleetPackage;
}

export interface FleetImage {
  /** AlmaLinux point release, `9.4`. */
  readonly os: string;
  readonly slots: readonly FleetSlot[];
}

/** A host: its image, and the slots where it has the image's alternative package. */
export interface FleetHost {
  /** 0, 1, 2, … in the order drawn. */
  readonly index: number;
  readonly image: FleetImage;
  /** A random UUID from the fleet's PRNG (a CycloneDX serial number, a machine id). */
  readonly uuid: string;
  /** Ascending slot indexes where this host deviates from its image. */
  readonly altSlots: readonly number[];
}

type Rng = () => number;
/** Release major → point releases a host may run, with the share of base images on that major. */
type Release = { major: number; minors: readonly string[]; weight: number };
const RELEASES: readonly [Release, ...Release[]] = [
  { major: 8, minors: ['8.6', '8.8', '8.9', '8.10'], weight: 0.45 },
  { major: 9, minors: ['9.2', '9.3', '9.4', '9.5', '9.6'], weight: 0.45 },
  { major: 10, minors: ['10.0'], weight: 0.1 },
];
const STEMS = ['acme', 'nimbus', 'quartz', 'orbit', 'falcon', 'tundra', 'cobalt', 'ember', 'lumen', 'vortex', 'pylon', 'zephyr'];
const PREFIXES = ['', 'lib', 'python3-', 'perl-', 'golang-', 'rubygem-', 'texlive-', 'fonts-'];
const SUFFIXES = ['', '-devel', '-libs', '-common', '-tools', '-doc', '-agent', '-plugins'];

/** A fleet's images and its PRNG; draw hosts with `nextHost`. */
export class SyntheticFleet {
  private drawn = 0;
  private readonly weights: number[];
  private readonly total: number;

  private constructor(
    private readonly rng: Rng,
    readonly images: readonly FleetImage[],
  ) {
    // Popular images host most machines (roughly Zipf), as in real fleets.
    this.weights = images.map((_, i) => 1 / (i + 1));
    this.total = this.weights.reduce((s, x) => s + x, 0);
  }

  /** Reads the feeds and builds the base images (a second or two for the AlmaLinux feed). */
  static async fromFeeds(options: SyntheticFleetOptions): Promise<SyntheticFleet> {
    const pypiPerHost = options.pypiPerHost ?? 0;
    const rng = seededRandom(options.seed);
    const rpm = await loadAlmaFeed(options.almaFeed ?? ALMA_FEED);
    const pypi = pypiPerHost > 0 ? await loadPypiFeed(options.pypiFeed ?? PYPI_FEED) : new Map<string, Set<string>>();
    const pypiNames = [...pypi.keys()].sort();
    const count = Math.max(1, options.images ?? 50);
    const images = Array.from({ length: count }, () => buildImage(rng, rpm, pypi, pypiNames, options.packagesPerHost, pypiPerHost));
    return new SyntheticFleet(rng, images);
  }

  /** The next host. The first hosts take each image once, so a small fleet still covers every image. */
  nextHost(): FleetHost {
    const h = this.drawn++;
    let img = h;
    if (h >= this.images.length) {
      let w = this.rng() * this.total;
      img = this.weights.findIndex((x) => (w -= x) < 0);
      if (img < 0) img = this.images.length - 1;
    }
    const image = this.images[img] as FleetImage;
    const deviation = 0.005 + this.rng() * 0.045;
    const id = uuid(this.rng);
    const altSlots: number[] = [];
    for (let i = 0; i < image.slots.length; i++) if (this.rng() < deviation) altSlots.push(i);
    return { index: h, image, uuid: id, altSlots };
  }
}

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

/** Adds `delta` to the leading number of the release ("14.el8_3" → "13.el8_3"); undefined if it cannot. */
function shiftRelease(e: Evr, delta: number): Evr | undefined {
  const m = /^(\d+)(.*)$/.exec(e.release ?? '');
  if (!m) return undefined;
  const n = Number(m[1]) + delta;
  return n < 0 ? undefined : { ...e, release: `${n}${m[2] as string}` };
}

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

/**
 * A spelling of a normalised PyPI name that is not normalised ("python-dateutil" →
 * "Python_dateutil") but names the same project under PEP 503; undefined if there is none.
 */
function unnormalised(name: string): string | undefined {
  const spelled = name.replaceAll('-', '_').replace(/^./, (c) => c.toUpperCase());
  return spelled !== name && normalizeName('PyPI', spelled) === name ? spelled : undefined;
}

function buildImage(rng: Rng, rpm: RpmFeed, pypi: Map<string, Set<string>>, pypiNames: string[], packagesPerHost: number, pypiPerHost: number): FleetImage {
  let w = rng();
  const rel = RELEASES.find((r) => (w -= r.weight) < 0) ?? RELEASES[0];
  const os = pick(rng, rel.minors);
  const known = rpm.get(rel.major) ?? new Map<string, Evr[]>();
  const knownNames = [...known.keys()].sort();
  const nKnown = Math.min(knownNames.length, Math.round(packagesPerHost * 0.7));
  const slots: FleetSlot[] = [];
  const arch = (): string => (rng() < 0.93 ? 'x86_64' : 'noarch');
  const rpmPackage = (name: string, evr: Evr, a: string): FleetPackage => ({ kind: 'rpm', name, evr, arch: a });
  for (const name of sample(rng, knownNames, nKnown)) {
    const fixes = known.get(name) as Evr[];
    const a = arch();
    slots.push({ base: rpmPackage(name, chooseEvr(rng, fixes), a), alt: rpmPackage(name, chooseEvr(rng, fixes), a) });
  }
  // Made-up names must not collide with any release's feed names, nor with each other.
  const taken = new Set<string>(knownNames);
  for (const names of rpm.values()) for (const n of names.keys()) taken.add(n);
  while (slots.length < packagesPerHost) {
    const name = `${pick(rng, PREFIXES)}${pick(rng, STEMS)}${pick(rng, STEMS)}${Math.floor(rng() * 100)}${pick(rng, SUFFIXES)}`;
    if (taken.has(name)) continue;
    taken.add(name);
    const a = arch();
    slots.push({ base: rpmPackage(name, madeUpEvr(rng, rel.major), a), alt: rpmPackage(name, madeUpEvr(rng, rel.major), a) });
  }
  // The feed's names are distinct once normalised, so a sample never installs a project twice.
  for (const name of sample(rng, pypiNames, pypiPerHost)) {
    const vs = [...(pypi.get(name) as Set<string>)];
    // Some hosts spell names as the project does, not normalised (PEP 503): keep the matcher honest.
    const spelled = (rng() < 0.2 ? unnormalised(name) : undefined) ?? name;
    slots.push({ base: { kind: 'pypi', name: spelled, version: pick(rng, vs) }, alt: { kind: 'pypi', name: spelled, version: pick(rng, vs) } });
  }
  return { os, slots };
}

function uuid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}
