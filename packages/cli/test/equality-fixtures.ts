/**
 * Inputs for the output-equality test: small fleets and enrichment files made from the REAL
 * AlmaLinux and PyPA feeds, seeded so that the same code always writes the same bytes. They are
 * shaped to reach every path the scan's caches take: hosts cloned from a few images (shared
 * answers and SBOM layouts), clones whose components moved, repeat, carry Trivy source properties
 * or nest (layouts that must NOT be reused blindly), hosts with every tier and exposure (one
 * finding, several priorities), and enrichment that gives findings every priority and reason.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadAdvisories, readInputs } from '@patchwise/core';
import { ALMA_FEED, PYPI_FEED, generateFleet } from '../../../bench/fleet/generate-fleet.js';
import { seededRandom } from '../../../test/support/seeded-random.js';

/** Directories and files written by `buildEqualityFixtures`, relative to its `dir`. */
export const FIXTURES = {
  /**
   * Samples of the real feeds' files, as published: a scan loading all 5,680 AlmaLinux records
   * takes seconds, and the test runs dozens of scans.
   */
  almaFeed: 'feeds/almalinux',
  pypiFeed: 'feeds/pypa',
  /** A copy of the inventory readers' fixtures: every format, and files that are no inventory. */
  readerFixtures: 'reader-fixtures',
  /** CycloneDX hosts cloned from a few images, rpm and PyPI packages. */
  fleet: 'fleet',
  /** The same fleet with fewer, larger hosts and no PyPI. */
  bigFleet: 'big-fleet',
  /** CycloneDX hosts derived from the fleet's, each with one kind of disturbance. */
  mutants: 'mutants',
  /** Patchwise inventories of fleet hosts with every tier and exposure. */
  attributes: 'attributes',
  epss: 'intel/epss.csv',
  nvd: 'intel/nvd.json',
} as const;

const READER_FIXTURES = resolve(import.meta.dirname, '../../core/test/fixtures/inventory');

type Rng = () => number;
type Component = Record<string, unknown> & { purl?: string; components?: Component[] };
type Bom = { components: Component[]; metadata: { component: { name: string } } } & Record<string, unknown>;

/** Writes every fixture under `dir` (which must be empty or missing). */
export async function buildEqualityFixtures(dir: string): Promise<void> {
  const almaFeed = join(dir, FIXTURES.almaFeed);
  const pypiFeed = join(dir, FIXTURES.pypiFeed);
  await sampleFeed(ALMA_FEED, almaFeed, /\.json$/, seededRandom(9));
  await sampleFeed(PYPI_FEED, pypiFeed, /\.yaml$/, seededRandom(10));
  const feeds = { almaFeed, pypiFeed };
  await generateFleet({ outDir: join(dir, FIXTURES.fleet), hosts: 48, packagesPerHost: 400, pypiPerHost: 12, images: 10, seed: 11, ...feeds });
  await generateFleet({ outDir: join(dir, FIXTURES.bigFleet), hosts: 12, packagesPerHost: 1000, images: 4, seed: 12, ...feeds });
  const fleet = readFleet(join(dir, FIXTURES.fleet));
  writeMutants(join(dir, FIXTURES.mutants), fleet, seededRandom(13));
  writeAttributeHosts(join(dir, FIXTURES.attributes), fleet.slice(0, 20), seededRandom(14));
  cpSync(READER_FIXTURES, join(dir, FIXTURES.readerFixtures), { recursive: true });
  const cves = await feedCves(almaFeed);
  mkdirSync(join(dir, 'intel'), { recursive: true });
  writeFileSync(join(dir, FIXTURES.epss), epssCsv(cves, seededRandom(15)));
  writeFileSync(join(dir, FIXTURES.nvd), nvdPage(cves, seededRandom(16)));
}

function readFleet(dir: string): Bom[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cdx.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Bom);
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

/**
 * One CycloneDX host per disturbance, each applied to a copy of a fleet host. All but the last
 * two keep the component count and the middle component, which is what SBOMs of one image share.
 */
const MUTATIONS: readonly (readonly [name: string, mutate: (bom: Bom, rng: Rng) => void])[] = [
  ['identical', () => {}],
  ['swapped', (bom, rng) => {
    // Two components change places (neither is the middle one).
    const c = bom.components;
    const mid = c.length >> 1;
    const i = 1 + Math.floor(rng() * (mid - 1));
    const j = mid + 1 + Math.floor(rng() * (c.length - mid - 2));
    [c[i], c[j]] = [c[j] as Component, c[i] as Component];
  }],
  ['second-version', (bom, rng) => {
    // A package listed twice in two versions (kernels): the copy replaces another component.
    const c = bom.components;
    const rpms = c.filter((x) => x.purl?.startsWith('pkg:rpm/'));
    const from = pick(rng, rpms);
    const older = String(from.version).replace(/-(\d+)/, (_, n: string) => `-${Math.max(0, Number(n) - 1)}`);
    const purl = String(from.purl).replace(`@${String(from.version)}?`, `@${older}?`);
    c[1 + Math.floor(rng() * (c.length - 2))] = { ...from, version: older, purl };
  }],
  ['same-package-twice', (bom, rng) => {
    // The very same purl at two positions.
    const c = bom.components;
    c[2] = { ...pick(rng, c.slice(3)) };
  }],
  ['trivy-properties', (bom, rng) => {
    // Source package named in Trivy's properties: the package is no longer the purl's alone.
    for (const comp of bom.components) {
      if (!comp.purl?.startsWith('pkg:rpm/') || rng() > 0.3) continue;
      const version = String(comp.version);
      const dash = version.lastIndexOf('-');
      comp.properties = [
        { name: 'aquasecurity:trivy:SrcName', value: String(comp.name) },
        { name: 'aquasecurity:trivy:SrcVersion', value: version.slice(0, dash) },
        { name: 'aquasecurity:trivy:SrcRelease', value: version.slice(dash + 1) },
      ];
    }
  }],
  ['no-purl', (bom, rng) => {
    // Components the walk leaves out, where packages were.
    for (let k = 0; k < 5; k++) delete pick(rng, bom.components.slice(1)).purl;
  }],
  ['nested', (bom) => {
    // Packages moved into a nested component: positions shift, the count stays.
    const c = bom.components;
    const moved = c.splice(3, 4);
    c.splice(3, 0, { type: 'application', name: 'bundle', components: moved }, { type: 'file', name: 'a' }, { type: 'file', name: 'b' }, { type: 'file', name: 'c' });
  }],
  ['shorter', (bom) => {
    bom.components.splice(-7, 7);
  }],
  ['longer', (bom) => {
    bom.components.push(...bom.components.slice(1, 4).map((x) => ({ ...x })));
  }],
];

function writeMutants(dir: string, fleet: readonly Bom[], rng: Rng): void {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  // Each disturbance twice, on hosts of different images, interleaved with untouched clones.
  for (let round = 0; round < 2; round++) {
    for (const [name, mutate] of MUTATIONS) {
      const base = fleet[(n * 7) % fleet.length] as Bom;
      const bom = structuredClone(base);
      mutate(bom, rng);
      bom.metadata.component.name = `${name}-${round}`;
      const file = `m-${String(n++).padStart(3, '0')}-${name}.cdx.json`;
      writeFileSync(join(dir, file), JSON.stringify(bom));
      writeFileSync(join(dir, `m-${String(n++).padStart(3, '0')}-clone.cdx.json`), JSON.stringify(base));
    }
  }
}

const TIERS = [0, 1, 2, 3, undefined] as const;
const EXPOSURES = [true, false, undefined] as const;

/** Patchwise inventories of fleet hosts: every (tier, exposure), packages in SBOM order. */
function writeAttributeHosts(dir: string, hosts: readonly Bom[], rng: Rng): void {
  mkdirSync(dir, { recursive: true });
  hosts.forEach((bom, i) => {
    const os = bom.components.find((c) => c.type === 'operating-system') as { version: string };
    const tier = TIERS[i % TIERS.length];
    const internetFacing = EXPOSURES[Math.floor(i / TIERS.length) % EXPOSURES.length];
    const attributes = { ...(tier === undefined ? {} : { tier }), ...(internetFacing === undefined ? {} : { internetFacing }) };
    const packages = bom.components.flatMap((c) => (c.purl ? [packageOf(c.purl)] : []));
    if (rng() < 0.5) packages.reverse();
    const doc = {
      format: 'patchwise-inventory',
      version: 1,
      host: { name: `attr-${String(i).padStart(2, '0')}`, os: { id: 'almalinux', versionId: os.version }, ...(i % 7 === 6 ? {} : { attributes }) },
      packages,
    };
    writeFileSync(join(dir, `attr-${String(i).padStart(2, '0')}.json`), `${JSON.stringify(doc, null, 1)}\n`);
  });
}

/** A generated purl as a Patchwise package: rpm `[epoch:]version-release` and arch, PyPI as is. */
function packageOf(purl: string): Record<string, string> {
  const m = /^pkg:(rpm|pypi)\/(?:almalinux\/)?([^@]+)@([^?]+)(?:\?(.*))?$/.exec(purl);
  if (!m) throw new Error(`unexpected purl in generated fleet: ${purl}`);
  const [, type, name, version, query] = m as unknown as [string, string, string, string, string | undefined];
  if (type === 'pypi') return { ecosystem: 'PyPI', name, version };
  const q = new URLSearchParams(query ?? '');
  const epoch = q.get('epoch');
  return { name, version: epoch ? `${epoch}:${version}` : version, arch: q.get('arch') ?? 'x86_64' };
}

/** Copies about one in six of an archive's records (files matching `pattern`), byte for byte. */
async function sampleFeed(archive: string, outDir: string, pattern: RegExp, rng: Rng): Promise<void> {
  for await (const item of readInputs([archive])) {
    if (item.kind === 'problem') throw item.error;
    const inner = item.name.slice(item.name.lastIndexOf('!') + 1);
    if (!pattern.test(inner) || rng() > 1 / 6) continue;
    const file = join(outDir, inner);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, item.text);
  }
}

/** Every CVE a feed names, sorted. */
async function feedCves(feed: string): Promise<string[]> {
  const { advisories } = await loadAdvisories([feed]);
  return [...new Set(advisories.flatMap((a) => a.cves))].sort();
}

/** EPSS scores for about half of the CVEs, spread over the bands the priority formula uses. */
function epssCsv(cves: readonly string[], rng: Rng): string {
  const lines = ['#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000', 'cve,epss,percentile'];
  for (const cve of cves) {
    if (rng() < 0.5) continue;
    const band = rng();
    const score = band < 0.3 ? rng() * 0.01 : band < 0.7 ? rng() * 0.1 : band < 0.9 ? 0.1 + rng() * 0.4 : 0.5 + rng() * 0.5;
    lines.push(`${cve},${score.toFixed(5)},${rng().toFixed(5)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** CVSS vectors of every severity, in the versions NVD publishes. */
const VECTORS: readonly (readonly [key: string, version: string, vector: string])[] = [
  ['cvssMetricV31', '3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
  ['cvssMetricV31', '3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N'],
  ['cvssMetricV31', '3.1', 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N'],
  ['cvssMetricV31', '3.1', 'CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N'],
  ['cvssMetricV30', '3.0', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H'],
  ['cvssMetricV2', '2.0', 'AV:N/AC:M/Au:N/C:P/I:P/A:P'],
  ['cvssMetricV40', '4.0', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'],
];

/** An NVD CVE API 2.0 page scoring about a third of the CVEs (scores computed from the vectors). */
function nvdPage(cves: readonly string[], rng: Rng): string {
  const vulnerabilities = cves
    .filter(() => rng() < 0.35)
    .map((id) => {
      const [key, version, vectorString] = pick(rng, VECTORS);
      return {
        cve: {
          id,
          published: '2024-01-01T00:00:00.000',
          lastModified: '2025-01-01T00:00:00.000',
          metrics: { [key]: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version, vectorString } }] },
        },
      };
    });
  return JSON.stringify({ format: 'NVD_CVE', version: '2.0', vulnerabilities });
}
