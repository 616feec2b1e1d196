/**
 * Cost of sharing package objects when the server reads an uploaded Patchwise JSON inventory
 * (PackageCache, as `ControlPlane.parseUpload` uses it), against the same read without a cache.
 * 2,000 documents of 1,000 rpm packages from 50 images; each host differs from its image on
 * about 2 % of its packages. The cache is warmed with 500 documents first, as a running server's is.
 *
 *   flock /tmp/patchwise-bench.lock node --import tsx bench/package-sharing.ts
 */
import { loadavg } from 'node:os';
import { PackageCache, parseInventoryObject } from '@patchwise/core';

let seed = 1;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const images = Array.from({ length: 50 }, (_, image) =>
  Array.from({ length: 1000 }, (_, i) => ({
    name: `pkg-${(i * 7 + image * 13) % 3000}`,
    version: `${1 + (image % 5)}.${i % 17}.${image % 3}-1.el9`,
    arch: 'x86_64',
    sourceName: `pkg-src-${i % 500}`,
    sourceVersion: `1.${i % 17}`,
  })),
);
const documents: string[] = [];
for (let h = 0; h < 2000; h++) {
  const packages = (images[h % 50] ?? []).map((p) => (random() < 0.02 ? { ...p, version: `${p.version}.1` } : p));
  documents.push(JSON.stringify({ format: 'patchwise-inventory', version: 1, host: { name: `h${h}`, os: { id: 'almalinux', versionId: '9.4' } }, packages }));
}
const cache = new PackageCache(300_000);
for (const d of documents.slice(0, 500)) parseInventoryObject(JSON.parse(d), 'warm-up', { packageCache: cache });

/** Best of 9 rounds, µs per document (parsing the JSON text is outside the timing). */
function time(cached: boolean): number {
  let best = Infinity;
  for (let round = 0; round < 9; round++) {
    const parsed = documents.map((d) => JSON.parse(d) as unknown);
    const started = performance.now();
    for (const d of parsed) parseInventoryObject(d, 'bench', cached ? { packageCache: cache } : {});
    best = Math.min(best, ((performance.now() - started) * 1000) / parsed.length);
  }
  return best;
}

const cached = time(true);
const uncached = time(false);
console.log(
  `best of 9: with the cache ${cached.toFixed(0)} µs, without ${uncached.toFixed(0)} µs per 1,000-package document; sharing costs ${(cached - uncached).toFixed(0)} µs (load average ${loadavg()[0]?.toFixed(1)})`,
);
