/**
 * Where a sampling heap profile (bench/support/allocation-profile.mjs) allocated: bytes per
 * function, by itself and with everything it called, the largest first.
 *
 *   node bench/support/summarize-allocations.mjs FILE.heapprofile [--top 40]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
if (positionals.length !== 1) throw new Error('usage: summarize-allocations.mjs FILE.heapprofile [--top N]');
const top = Number(values.top ?? 40);
const { head } = JSON.parse(readFileSync(positionals[0], 'utf8'));
const label = (n) => `${n.callFrame.functionName || '(anonymous)'}  ${n.callFrame.url.replace(/^.*\/(packages|node_modules)\//, '')}`;
const self = new Map();
const inclusive = new Map();
let total = 0;

/** Adds a node's bytes; a function counts once per path even when it recurses. */
function walk(node, above) {
  const l = label(node);
  total += node.selfSize;
  self.set(l, (self.get(l) ?? 0) + node.selfSize);
  const here = new Set(above).add(l);
  let sum = node.selfSize;
  for (const child of node.children) sum += walk(child, here);
  if (!above.has(l)) inclusive.set(l, (inclusive.get(l) ?? 0) + sum);
  return sum;
}
walk(head, new Set());

const mib = (b) => `${(b / 1_048_576).toFixed(1).padStart(9)} MiB`;
console.log(`${mib(total)} allocated in all (sampled)`);
for (const [title, map] of [['by itself', self], ['with what it called', inclusive]]) {
  console.log(`\n${title}`);
  for (const [l, b] of [...map].sort((a, b2) => b2[1] - a[1]).slice(0, top)) console.log(`${mib(b)}  ${l}`);
}
