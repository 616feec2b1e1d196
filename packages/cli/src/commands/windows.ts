import { PatchwiseError, countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream };

interface WindowView {
  name: string;
  rrule: string;
  startDate?: string;
  start: string;
  offsetDays: number;
  durationMinutes: number;
  cutoffMinutes: number;
  timeZone?: string;
  groups: string[];
  description: string;
}

interface OpeningsView {
  window: string;
  timeZone: string;
  from: string;
  to: string;
  openings: { start: string; cutoff: string; end: string }[];
}

export interface WindowPutOptions {
  readonly rrule: string;
  readonly start: string;
  readonly duration: string;
  readonly cutoff?: string;
  readonly offsetDays?: string;
  readonly startDate?: string;
  readonly timeZone?: string;
  readonly group: string[];
  readonly description?: string;
}

export interface WindowOpeningsOptions {
  readonly from?: string;
  readonly to?: string;
  readonly timeZone?: string;
  readonly json?: boolean;
}

const UNIT_MINUTES = { d: 1440, h: 60, m: 1 } as const;

/** `4h`, `30m`, `1h30m`, `2d`, or plain minutes, as whole minutes; PW_USAGE names the option otherwise. */
export function parseMinutes(text: string, option: string): number {
  const t = text.trim();
  if (/^\d{1,6}$/.test(t)) return Number(t);
  const parts = /^(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,6})m)?$/.exec(t);
  if (!parts || t === '') throw new PatchwiseError('PW_USAGE', `${option}: "${text}" is not a duration such as 30m, 4h, 1h30m or 2d`);
  return Number(parts[1] ?? 0) * UNIT_MINUTES.d + Number(parts[2] ?? 0) * UNIT_MINUTES.h + Number(parts[3] ?? 0);
}

/** Minutes as people write them: `4h`, `30m`, `1h30m`, `2d`. */
export function formatMinutes(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return `${d ? `${d}d` : ''}${h ? `${h}h` : ''}${m || minutes === 0 ? `${m}m` : ''}`;
}

const offset = (w: WindowView) => (w.offsetDays === 0 ? '' : ` ${w.offsetDays > 0 ? '+' : '-'}${countNoun(Math.abs(w.offsetDays), 'day')}`);
const zone = (w: WindowView) => w.timeZone ?? "each host's zone (else UTC)";
const groups = (w: WindowView) => (w.groups.length ? w.groups.join(', ') : 'every host');
const summary = (w: WindowView) => `${w.rrule}${offset(w)}${w.startDate ? ` from ${w.startDate}` : ''} at ${w.start} ${zone(w)} for ${formatMinutes(w.durationMinutes)}, cutoff ${formatMinutes(w.cutoffMinutes)}`;

export async function windowsPut(api: ApiClient, name: string, o: WindowPutOptions, io: Io): Promise<number> {
  if (o.offsetDays !== undefined && !/^[+-]?\d{1,3}$/.test(o.offsetDays)) throw new PatchwiseError('PW_USAGE', `--offset-days: "${o.offsetDays}" is not a whole number of days`);
  const w = await api.put<WindowView>(`/api/v1/windows/${encodeURIComponent(name)}`, {
    rrule: o.rrule,
    start: o.start,
    durationMinutes: parseMinutes(o.duration, '--duration'),
    cutoffMinutes: o.cutoff === undefined ? 0 : parseMinutes(o.cutoff, '--cutoff'),
    ...(o.offsetDays === undefined ? {} : { offsetDays: Number(o.offsetDays) }),
    ...(o.startDate === undefined ? {} : { startDate: o.startDate }),
    ...(o.timeZone === undefined ? {} : { timeZone: o.timeZone }),
    groups: o.group,
    ...(o.description === undefined ? {} : { description: o.description }),
  });
  io.stdout.write(`window ${w.name}: ${summary(w)}; ${groups(w)}\n`);
  return 0;
}

export async function windowsList(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const { windows } = await api.get<{ windows: WindowView[] }>('/api/v1/windows');
  if (opts.json) io.stdout.write(`${JSON.stringify(windows, null, 2)}\n`);
  else {
    const rows = windows.map((w) => [w.name, w.rrule, w.offsetDays === 0 ? '-' : `${w.offsetDays > 0 ? '+' : ''}${w.offsetDays}d`, w.start, formatMinutes(w.durationMinutes), formatMinutes(w.cutoffMinutes), w.timeZone ?? '(host)', w.groups.join(' ') || '(all)']);
    io.stdout.write(textTable(['WINDOW', 'RULE', 'OFFSET', 'START', 'DURATION', 'CUTOFF', 'TIME ZONE', 'GROUPS'], rows));
  }
  return 0;
}

/** A window and its next openings (in its zone, or UTC for one that follows each host's). */
export async function windowsShow(api: ApiClient, name: string, opts: { json?: boolean }, io: Io): Promise<number> {
  const w = await api.get<WindowView>(`/api/v1/windows/${encodeURIComponent(name)}`);
  const next = await api.get<OpeningsView>(`/api/v1/windows/${encodeURIComponent(name)}/openings`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ window: w, next }, null, 2)}\n`);
    return 0;
  }
  const lines = [`window ${w.name}: ${summary(w)}`, ...(w.description ? [w.description] : []), `applies to ${groups(w)}`];
  if (next.openings.length === 0) lines.push(`no opening until ${next.to}`);
  for (const o of next.openings.slice(0, 3)) lines.push(`opens ${o.start}, starts until ${o.cutoff}, closes ${o.end}${w.timeZone ? '' : ' (in UTC; hosts use their own zone)'}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export async function windowsDelete(api: ApiClient, name: string, io: Io): Promise<number> {
  await api.delete(`/api/v1/windows/${encodeURIComponent(name)}`);
  io.stdout.write(`window ${name} deleted\n`);
  return 0;
}

/** The openings between two moments, with local times in the zone they were computed for. */
export async function windowsOpenings(api: ApiClient, name: string, opts: WindowOpeningsOptions, io: Io): Promise<number> {
  const r = await api.get<OpeningsView>(`/api/v1/windows/${encodeURIComponent(name)}/openings`, { from: opts.from, to: opts.to, timeZone: opts.timeZone });
  if (opts.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else {
    io.stdout.write(`openings of ${r.window} in ${r.timeZone}, ${r.from} to ${r.to}\n`);
    io.stdout.write(textTable(['OPENS', 'STARTS UNTIL', 'CLOSES'], r.openings.map((o) => [o.start, o.cutoff, o.end])));
  }
  return 0;
}
