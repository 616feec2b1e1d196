/**
 * Runs every benchmark in turn (`npm run bench`), each in its own process so that one's heap
 * and JIT state cannot colour the next. Each prints its own figures and machine; see
 * docs/benchmarks.md for the recorded results.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const BENCHES = ['versions-compare.ts', 'inventory-parse.ts', 'scan-fleet.ts', 'maintenance-windows.ts'];
let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n== ${bench}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, bench)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
