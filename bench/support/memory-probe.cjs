'use strict';
/**
 * A preload for the server a benchmark starts, to split its memory: every 2 s it appends one
 * line to the file named by PW_MEMLOG with the resident set and its peak (VmHWM), the V8 heap
 * (used, total, and what survived the last full collection), external and array-buffer memory,
 * and the WebAssembly memory (PGlite's database) of the instances made so far. Used for the
 * memory rows of docs/benchmarks.md:
 *
 *   PW_MEMLOG=/tmp/server.mem PATCHWISE_BENCH_SERVER_NODE_ARGS="--require $PWD/bench/support/memory-probe.cjs" \
 *     flock /tmp/patchwise-bench.lock node --import tsx bench/fleet-load.ts --db pglite --agents 10000 --closed 5 --open 10
 */
const { appendFileSync, readFileSync } = require('node:fs');
const { PerformanceObserver, constants } = require('node:perf_hooks');
const { isMainThread } = require('node:worker_threads');

const file = process.env.PW_MEMLOG;
if (isMainThread && file) {
  // WebAssembly memories are not listed anywhere: the constructor is wrapped to remember them.
  const memories = [];
  const Original = WebAssembly.Memory;
  WebAssembly.Memory = function Memory(descriptor) {
    const memory = new Original(descriptor);
    memories.push(new WeakRef(memory));
    return memory;
  };
  WebAssembly.Memory.prototype = Original.prototype;

  let liveAfterFullGc = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) liveAfterFullGc = process.memoryUsage().heapUsed;
  }).observe({ entryTypes: ['gc'] });

  const started = Date.now();
  const mib = (bytes) => (bytes / 1048576).toFixed(0);
  setInterval(() => {
    const u = process.memoryUsage();
    const peakKib = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
    const wasm = memories.map((w) => w.deref()).filter(Boolean).reduce((sum, m) => sum + m.buffer.byteLength, 0);
    appendFileSync(file, `${((Date.now() - started) / 1000).toFixed(0)}s rss ${mib(u.rss)} peak ${(peakKib / 1024).toFixed(0)} heapUsed ${mib(u.heapUsed)} heapTotal ${mib(u.heapTotal)} liveAfterFullGc ${mib(liveAfterFullGc)} external ${mib(u.external)} arrayBuffers ${mib(u.arrayBuffers)} wasm ${mib(wasm)}\n`);
  }, 2000).unref();
}
