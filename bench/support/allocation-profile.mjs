/**
 * A preload that records where a process allocates: V8's sampling heap profiler from load to
 * exit, counting collected objects too (a default heap profile keeps only what is still alive,
 * which hides short-lived garbage), written to the file named by PW_ALLOCATION_PROFILE. Used for
 * the allocation figures of docs/benchmarks.md, e.g.
 *
 *   PW_ALLOCATION_PROFILE=/tmp/upload.heapprofile flock /tmp/patchwise-bench.lock \
 *     node --import ./bench/support/allocation-profile.mjs --import tsx bench/upload-phases.ts --uploads 1000 --concurrency 16
 *   node bench/support/summarize-allocations.mjs /tmp/upload.heapprofile [--top 40]
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const out = process.env.PW_ALLOCATION_PROFILE;
if (!out) throw new Error('allocation-profile.mjs: set PW_ALLOCATION_PROFILE to the file to write');
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
// One sample per 16 KiB allocated on average: enough for per-function shares, cheap enough to run a bench under.
await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
process.once('beforeExit', async () => {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(out, JSON.stringify(profile));
});
