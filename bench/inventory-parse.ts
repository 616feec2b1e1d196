/**
 * Cost of reading a CycloneDX SBOM into a HostInventory, against JSON.parse alone.
 * Run: node --import tsx bench/inventory-parse.ts
 *
 * A scan of 10,000 hosts × 1,000 components parses 10,000 such SBOMs, so parseInventory must stay
 * close to the JSON.parse it cannot avoid (target ≤ 1.5×). The same walk with packageurl-js in
 * place of the focused purl parser is timed too, to show why the inventory has its own.
 */
import { PackageURL } from 'packageurl-js';
import { parseInventory } from '@patchwise/core';

const COMPONENTS = 1_000;
const ROUNDS = 15;
const PARSES_PER_ROUND = 100;

type Shape = 'syft' | 'trivy';

/** A Debian 12 host SBOM with Syft's or Trivy's component shape, plus some PyPI and npm packages. */
function makeSbom(shape: Shape): string {
  const components: unknown[] = [];
  for (let i = 0; i < COMPONENTS; i++) {
    const kind = i % 10;
    if (kind === 8) {
      components.push({ type: 'library', name: `Py_Package.${i}`, version: `1.${i}.0`, purl: `pkg:pypi/py-package-${i}@1.${i}.0` });
      continue;
    }
    if (kind === 9) {
      components.push({ type: 'library', name: `@scope/pkg-${i}`, version: `2.${i}.1`, purl: `pkg:npm/%40scope/pkg-${i}@2.${i}.1` });
      continue;
    }
    const name = `lib${i}-${kind === 0 ? 'c++' : 'x'}`;
    const version = `${kind === 1 ? '1:' : ''}2.${i}.${kind}-1+deb12u${kind}`;
    const enc = encodeURIComponent;
    if (shape === 'syft') {
      const purl = `pkg:deb/debian/${enc(name)}@${enc(version)}?arch=amd64&upstream=${enc(`src${i}@2.${i}-1`)}&distro=debian-12`;
      components.push({
        'bom-ref': `${purl}&package-id=${i.toString(16).padStart(16, '0')}`,
        type: 'library',
        publisher: 'Debian Maintainers <maint@debian.org>',
        name,
        version,
        licenses: [{ license: { id: 'GPL-2.0-only' } }, { license: { name: 'LGPL-2.1+' } }],
        cpe: `cpe:2.3:a:${name}:${name}:${version}:*:*:*:*:*:*:*`,
        purl,
        properties: [
          { name: 'syft:package:foundBy', value: 'dpkg-db-cataloger' },
          { name: 'syft:package:type', value: 'deb' },
          { name: 'syft:package:metadataType', value: 'dpkg-db-entry' },
          { name: 'syft:location:0:layerID', value: `sha256:${'ab'.repeat(32)}` },
          { name: 'syft:location:0:path', value: '/var/lib/dpkg/status' },
          { name: 'syft:metadata:installedSize', value: String(1000 + i) },
          { name: 'syft:metadata:source', value: `src${i}` },
        ],
      });
    } else {
      const purl = `pkg:deb/debian/${enc(name)}@${enc(version.replace(/^1:/, ''))}?arch=amd64&distro=debian-12.5${kind === 1 ? '&epoch=1' : ''}`;
      components.push({
        'bom-ref': purl,
        type: 'library',
        supplier: { name: 'Debian Maintainers <maint@debian.org>' },
        name,
        version,
        licenses: [{ license: { name: 'GPL-2.0-only' } }],
        purl,
        properties: [
          { name: 'aquasecurity:trivy:PkgID', value: `${name}@${version}` },
          { name: 'aquasecurity:trivy:PkgType', value: 'debian' },
          { name: 'aquasecurity:trivy:SrcName', value: `src${i}` },
          { name: 'aquasecurity:trivy:SrcRelease', value: '1' },
          { name: 'aquasecurity:trivy:SrcVersion', value: `2.${i}` },
        ],
      });
    }
  }
  components.push({ type: 'operating-system', name: 'debian', version: '12.5' });
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: { component: { type: 'container', name: 'bench-host' } },
    components,
  });
}

/** The same walk as the inventory reader, but with packageurl-js parsing each purl. */
function withPackageUrlJs(text: string): number {
  const doc = JSON.parse(text) as { components: Array<{ purl?: string }> };
  let n = 0;
  for (const c of doc.components) {
    if (typeof c.purl !== 'string') continue;
    const p = PackageURL.fromString(c.purl);
    if (p.qualifiers?.distro !== undefined || p.type === 'npm' || p.type === 'pypi') n++;
  }
  return n;
}

let sink = 0;

/** CPU milliseconds (this process, all threads) per call of `fn`, over one batch. */
function batch(fn: () => number, n: number): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) sink += fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000 / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

for (const shape of ['syft', 'trivy'] as const) {
  const text = makeSbom(shape);
  const check = parseInventory(text, 'bench.json');
  if (check.inventories[0]?.packages.length !== COMPONENTS) {
    throw new Error(`expected ${COMPONENTS} packages, got ${check.inventories[0]?.packages.length}`);
  }
  const base = (): number => (JSON.parse(text) as { components: unknown[] }).components.length;
  const cases: Array<[string, () => number]> = [
    ['parseInventory', () => parseInventory(text, 'bench.json').inventories.length],
    ['JSON.parse + packageurl-js', () => withPackageUrlJs(text)],
  ];
  // Warm up every path so the JIT has compiled each before timing.
  for (const fn of [base, ...cases.map(([, f]) => f)]) for (let i = 0; i < 300; i++) sink += fn();
  // Rounds alternate baseline and candidate and compare within a round, so load from other
  // processes on the machine skews both sides of each ratio alike; CPU time, not wall time.
  const baseTimes: number[] = [];
  const results = cases.map(([label, fn]) => {
    const ratios: number[] = [];
    const times: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const b = batch(base, PARSES_PER_ROUND);
      const c = batch(fn, PARSES_PER_ROUND);
      baseTimes.push(b);
      times.push(c);
      ratios.push(c / b);
    }
    return { label, ms: median(times), ratio: median(ratios) };
  });
  console.log(
    `${shape}-shaped SBOM, ${COMPONENTS} components, ${(text.length / 1024).toFixed(0)} KiB; CPU time per parse, median of ${ROUNDS} rounds × ${PARSES_PER_ROUND}:`,
  );
  console.log(`  ${'JSON.parse'.padEnd(28)} ${median(baseTimes).toFixed(3)} ms`);
  for (const r of results) console.log(`  ${r.label.padEnd(28)} ${r.ms.toFixed(3)} ms  (${r.ratio.toFixed(2)}× JSON.parse)`);
}
if (sink === 0) console.log('');
