/**
 * Planning a fleet into maintenance windows: when may each host first start?
 *
 *   node --import tsx bench/maintenance-windows.ts [--hosts 100000] [--zones 20] [--rounds 3]
 *
 * 100,000 hosts over 20 time zones and 3 windows (the second Tuesday + 4 days and Saturday
 * nights in each host's zone, weeknights in Europe/Berlin) and 2 freezes (year-end days in each
 * host's zone, a release night in instants); hosts are in one of 3 groups, which decide the
 * windows and freezes they follow. Each round asks one fresh `WindowCalendar` for every host's
 * `nextStart` and `startDecision` (cold: the memo fills on the way), then again (warm), and the
 * one-off functions (a new memo per call, as without a calendar) the same questions for a sample
 * of hosts, checked to give the same answers. Prints
 * hosts/s of each and their ratio, measured in the same run, and the cost per distinct
 * (window, zone) pair. Exits 1 when the calendar is less than 50 times the one-off functions.
 */
import { cpus, loadavg, platform, release } from 'node:os';
import {WindowCalendar, nextStart, startDecision } from '@patchwise/core';
import { windowFleet } from './support/window-fleet.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const HOSTS = arg('hosts', 100_000);
const ZONE_COUNT = arg('zones', 20);
const ROUNDS = arg('rounds', 3);
const ONE_OFF_SAMPLE = Math.min(HOSTS, 2_000);
const MIN_RATIO = 50;

const { zones: ZONES, windows, freezes, schedules } = windowFleet(ZONE_COUNT);
const hosts = Array.from({ length: HOSTS }, (_, i) => ({ zone: ZONES[i % ZONES.length]!, schedule: schedules[Math.floor(i / ZONES.length) % 3]! }));
const NOW = new Date('2026-12-18T12:00:00Z');

function plan(calendar: WindowCalendar): { ms: number; checksum: number } {
  const t = performance.now();
  let checksum = 0;
  for (const h of hosts) {
    checksum += calendar.nextStart(h.schedule, h.zone, NOW)?.getTime() ?? 0;
    if (calendar.startDecision(h.schedule, h.zone, NOW).canStart) checksum++;
  }
  return { ms: performance.now() - t, checksum };
}

/** The same questions without a calendar (a new memo per call), for a sample; checked against `calendar`. */
function oneOff(calendar: WindowCalendar): { ms: number } {
  const sample = Array.from({ length: ONE_OFF_SAMPLE }, (_, i) => hosts[Math.floor((i * HOSTS) / ONE_OFF_SAMPLE)]!);
  const t = performance.now();
  const answers = sample.map((h) => [nextStart(h.schedule, h.zone, NOW)?.getTime(), startDecision(h.schedule, h.zone, NOW).canStart]);
  const ms = performance.now() - t;
  sample.forEach((h, i) => {
    const expected = [calendar.nextStart(h.schedule, h.zone, NOW)?.getTime(), calendar.startDecision(h.schedule, h.zone, NOW).canStart];
    if (JSON.stringify(expected) !== JSON.stringify(answers[i])) throw new Error(`one-off and calendar differ for a host in ${h.zone}`);
  });
  return { ms };
}

const pairs = new Set(hosts.flatMap((h) => h.schedule.windows.map((w) => `${w.name}@${w.timeZone ?? h.zone}`))).size;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

console.log(`machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} logical CPUs, ${platform()} ${release()}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`${HOSTS} hosts, ${ZONES.length} zones, ${windows.length} windows, ${freezes.length} freezes: ${pairs} distinct (window, zone) pairs`);
const cold: number[] = [];
const warm: number[] = [];
const single: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const calendar = new WindowCalendar();
  const first = plan(calendar);
  const second = plan(calendar);
  if (first.checksum !== second.checksum) throw new Error('a warm plan differs from the cold one');
  const alone = oneOff(calendar);
  cold.push(first.ms);
  warm.push(second.ms);
  single.push(alone.ms);
  console.log(`round ${round}: cold ${first.ms.toFixed(0)} ms (${rate(HOSTS, first.ms)} hosts/s), warm ${second.ms.toFixed(0)} ms (${rate(HOSTS, second.ms)} hosts/s), one-off ${alone.ms.toFixed(0)} ms for ${ONE_OFF_SAMPLE} hosts (${rate(ONE_OFF_SAMPLE, alone.ms)} hosts/s)`);
}
const coldRate = rate(HOSTS, median(cold));
const oneOffRate = rate(ONE_OFF_SAMPLE, median(single));
const ratio = coldRate / oneOffRate;
console.log(
  `median: calendar ${coldRate} hosts/s cold (whole plan ${median(cold).toFixed(0)} ms), ${rate(HOSTS, median(warm))} hosts/s warm; one-off ${oneOffRate} hosts/s; ` +
    `ratio ${ratio.toFixed(0)}x; memo filling ≈ ${((median(cold) - median(warm)) / pairs).toFixed(2)} ms per (window, zone) pair`,
);
// The calendar exists to make a plan cost per (window, zone) pair, not per host.
if (ratio < MIN_RATIO) {
  console.log(`FAIL: the calendar is only ${ratio.toFixed(1)}x the one-off functions (floor ${MIN_RATIO}x)`);
  process.exitCode = 1;
}
