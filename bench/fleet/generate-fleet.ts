/**
 * Writes a synthetic but realistic fleet (`SyntheticFleet` of @patchwise/simulator, built from the
 * REAL AlmaLinux OSV feed and optionally the PyPA feed) as one CycloneDX 1.5 JSON SBOM per host,
 * so that scanning it exercises the same names, epochs and release strings as production.
 *
 * What makes the fleet realistic is described in packages/simulator/src/fleet/synthetic-fleet.ts.
 * A seed always gives the same bytes.
 * Usage: node --import tsx bench/fleet/generate-fleet.ts --out DIR --hosts 10000 --packages 1000 --seed 1 [--pypi 30]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ALMA_FEED, PYPI_FEED, SyntheticFleet, type FleetPackage, type FleetSlot, type SyntheticFleetOptions } from '@patchwise/simulator';

export { ALMA_FEED, PYPI_FEED };

/** The simulator's fleet model, written out as SBOMs: where, and how many hosts. */
export interface FleetOptions extends SyntheticFleetOptions {
  readonly outDir: string;
  readonly hosts: number;
}

export interface FleetSummary {
  readonly hosts: number;
  readonly images: number;
  readonly bytes: number;
  readonly files: string[];
}

/** A CycloneDX component line of one package, as Syft would write it for that distro. */
function componentLine(p: FleetPackage, distro: string): string {
  if (p.kind === 'pypi') return JSON.stringify({ type: 'library', name: p.name, version: p.version, purl: `pkg:pypi/${p.name}@${p.version}` });
  const e = p.evr;
  const vr = e.release ? `${e.version}-${e.release}` : e.version;
  const epoch = Number(e.epoch) !== 0 ? `&epoch=${e.epoch}` : '';
  return JSON.stringify({ type: 'library', name: p.name, version: vr, purl: `pkg:rpm/almalinux/${p.name}@${vr}?arch=${p.arch}${epoch}&distro=${distro}` });
}

/** Generates the fleet into `outDir` (created if missing), one `host-NNNNN.cdx.json` per host. */
export async function generateFleet(options: FleetOptions): Promise<FleetSummary> {
  const fleet = await SyntheticFleet.fromFeeds(options);
  // Lines are built once per base image, then reused by every clone of it.
  const lines = new Map<FleetSlot, { base: string; alt: string }>();
  for (const image of fleet.images) {
    const distro = `almalinux-${image.os}`;
    for (const slot of image.slots) lines.set(slot, { base: componentLine(slot.base, distro), alt: componentLine(slot.alt, distro) });
  }
  mkdirSync(options.outDir, { recursive: true });
  const width = Math.max(5, String(options.hosts).length);
  const files: string[] = [];
  let bytes = 0;
  for (let h = 0; h < options.hosts; h++) {
    const { image, uuid, altSlots } = fleet.nextHost();
    const host = `host-${String(h).padStart(width, '0')}`;
    const parts: string[] = [
      `{"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":"urn:uuid:${uuid}","version":1,`,
      `"metadata":{"timestamp":"2025-01-01T00:00:00Z","component":{"type":"device","name":"${host}"}},"components":[\n`,
      `{"type":"operating-system","name":"almalinux","version":"${image.os}"}`,
    ];
    const alt = new Set(altSlots);
    image.slots.forEach((slot, i) => {
      const l = lines.get(slot) as { base: string; alt: string };
      parts.push(',\n', alt.has(i) ? l.alt : l.base);
    });
    parts.push('\n]}\n');
    const file = join(options.outDir, `${host}.cdx.json`);
    // One host at a time (~100–150 KB): memory stays flat however large the fleet.
    const text = parts.join('');
    writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
    files.push(file);
  }
  return { hosts: options.hosts, images: fleet.images.length, bytes, files };
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
