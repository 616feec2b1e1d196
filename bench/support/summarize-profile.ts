/**
 * Where a V8 CPU profile's time went: self time summed per function and per source file, the
 * largest first. For profiles the benches ask the server to write, e.g.
 *
 *   PATCHWISE_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=bench/out/prof" \
 *     node --import tsx bench/fleet-load.ts --db postgres --agents 3000 --closed 1 --open 1
 *   node --import tsx bench/support/summarize-profile.ts bench/out/prof/CPU.*.cpuprofile [--top 40] [--from S --to S]
 *
 * `--from`/`--to` keep only the samples taken between those seconds after the profile started
 * (one phase of a run). Percentages are of the kept samples' time.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } });
if (positionals.length !== 1) throw new Error('usage: summarize-profile.ts FILE.cpuprofile [--top N] [--from S --to S]');
const top = Number(values.top ?? 30);
const from = Number(values.from ?? 0) * 1e6;
const to = values.to === undefined ? Infinity : Number(values.to) * 1e6;

const profile = JSON.parse(readFileSync(positionals[0] as string, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
let at = 0;
let kept = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at < from || at > to) return;
  kept += delta;
  const frame = (nodes.get(id) as ProfileNode).callFrame;
  const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '') || '(native)';
  add(byFunction, `${frame.functionName || '(anonymous)'}  ${file}:${frame.lineNumber + 1}`, delta);
  add(byFile, file, delta);
});

const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / kept).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
console.log(`${(kept / 1e6).toFixed(1)} s of samples kept`);
print('self time by function', byFunction);
print('self time by file', byFile);
