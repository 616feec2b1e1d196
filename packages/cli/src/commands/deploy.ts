import { PatchwiseError, countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { readDocumentFile } from '../read-document-file.js';
import { textTable } from '../output/index.js';
import { resolveHost } from './hosts.js';

type Io = { stdout: NodeJS.WritableStream & { isTTY?: boolean } };

/** What `deploy plan` and `deploy create` take on the command line. */
export interface DeploySelectionOptions {
  readonly patchSet: string;
  readonly environment: string;
  readonly group: string[];
  readonly host: string[];
  readonly window: string[];
  readonly strategy?: string;
  readonly canary?: string;
  readonly waves?: string;
  readonly concurrency?: string;
  readonly waveBudget?: string;
  readonly totalBudget?: string;
  readonly soak?: string;
  readonly clusterMax?: string;
  readonly blitz?: boolean;
  readonly reboot?: string;
  readonly preStep: string[];
  readonly postStep: string[];
  readonly preCheck: string[];
  readonly postCheck: string[];
  readonly change?: string;
}

interface DeploymentView {
  id: number;
  name: string;
  patchSet: number;
  environment: string;
  state: string;
  stateReason: string | null;
  currentWave: number;
  waveCount: number;
  soakUntil: string | null;
  createdAt: string;
}
interface StatusView {
  deployment: DeploymentView;
  waves: { wave: number; install: Record<string, number>; rollback: Record<string, number> }[];
  waiting: Record<string, number>;
}

const int = (text: string, option: string): number => {
  if (!/^\d+$/.test(text)) throw new PatchwiseError('PW_USAGE', `${option}: "${text}" is not a whole number`);
  return Number(text);
};

/** `service:UNIT`, `http:URL` or `script:NAME`. */
function parseCheck(text: string, option: string) {
  const at = text.indexOf(':');
  const kind = text.slice(0, at);
  const value = text.slice(at + 1);
  if (at > 0 && value !== '') {
    if (kind === 'service') return { kind, unit: value };
    if (kind === 'http' || kind === 'https') return { kind: 'http', url: text };
    if (kind === 'script') return { kind, script: value };
  }
  throw new PatchwiseError('PW_USAGE', `${option}: "${text}" is not service:UNIT, http(s)://URL or script:NAME`);
}

/** The request body from options; a --strategy file is the base and flags override its fields. */
function requestBody(o: DeploySelectionOptions): Record<string, unknown> {
  const strategy: Record<string, unknown> = o.strategy ? { ...(readDocumentFile(o.strategy, '--strategy')) } : {};
  if (o.canary !== undefined) strategy.canary = o.canary;
  if (o.waves !== undefined) strategy.waves = o.waves === 'exponential' ? 'exponential' : o.waves.split(',').map((s) => s.trim());
  if (o.concurrency !== undefined) strategy.concurrency = o.concurrency;
  if (o.waveBudget !== undefined || o.totalBudget !== undefined) {
    const budget = { ...((strategy.errorBudget as Record<string, unknown> | undefined) ?? {}) };
    if (o.waveBudget !== undefined) budget.perWave = o.waveBudget;
    if (o.totalBudget !== undefined) budget.total = o.totalBudget;
    strategy.errorBudget = budget;
  }
  if (o.soak !== undefined) strategy.soakMinutes = int(o.soak, '--soak');
  if (o.clusterMax !== undefined) strategy.clusterMaxUnavailable = int(o.clusterMax, '--cluster-max');
  if (o.blitz) strategy.blitz = true;
  if (o.reboot !== undefined) strategy.reboot = o.reboot;
  const hooks = {
    ...(o.preStep.length ? { preSteps: o.preStep } : {}),
    ...(o.postStep.length ? { postSteps: o.postStep } : {}),
    ...(o.preCheck.length ? { preChecks: o.preCheck.map((c) => parseCheck(c, '--pre-check')) } : {}),
    ...(o.postCheck.length ? { postChecks: o.postCheck.map((c) => parseCheck(c, '--post-check')) } : {}),
  };
  return {
    patchSet: int(o.patchSet, '--patch-set'),
    environment: o.environment,
    ...(o.group.length ? { groups: o.group } : {}),
    ...(o.host.length ? { hosts: o.host } : {}),
    ...(o.window.length ? { windows: o.window } : {}),
    ...(Object.keys(strategy).length ? { strategy } : {}),
    ...(Object.keys(hooks).length ? { hooks } : {}),
    ...(o.change ? { changeId: o.change } : {}),
  };
}

const when = (iso: string | null) => (iso === null ? 'no window' : iso.replace('T', ' ').slice(0, 16) + 'Z');

export async function deployPlan(api: ApiClient, o: DeploySelectionOptions & { jobMinutes?: string; json?: boolean; hosts?: boolean }, io: Io): Promise<number> {
  type Plan = { waves: { wave: number; hosts: number; start: string | null; finish: string | null; unschedulable: number }[]; hosts: { hostName: string; cluster: string | null; wave: number; start: string | null; finish: string | null; targets: { name: string; version: string }[] }[]; skipped: { hostName: string; reason: string }[]; finish: string | null; sla: { findings: number; onTime: number; late: number; alreadyOverdue: number; unscheduled: number } };
  const plan = await api.post<Plan>('/api/v1/deployments/plan', { ...requestBody(o), ...(o.jobMinutes ? { jobMinutes: int(o.jobMinutes, '--job-minutes') } : {}) });
  if (o.json) {
    io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(textTable(['WAVE', 'HOSTS', 'FIRST START', 'EXPECTED FINISH', 'NO WINDOW'], plan.waves.map((w) => [w.wave === 1 ? '1 (canary)' : String(w.wave), String(w.hosts), when(w.start), when(w.finish), String(w.unschedulable)])));
  if (o.hosts) io.stdout.write(`\n${textTable(['HOST', 'CLUSTER', 'WAVE', 'START', 'FINISH', 'TARGETS'], plan.hosts.map((h) => [h.hostName, h.cluster ?? '', String(h.wave), when(h.start), when(h.finish), h.targets.map((t) => `${t.name}=${t.version}`).join(' ')]))}`);
  if (plan.skipped.length) io.stdout.write(`\nskipped ${countNoun(plan.skipped.length, 'host')}:\n${textTable(['HOST', 'REASON'], plan.skipped.map((s) => [s.hostName, s.reason]))}`);
  io.stdout.write(`\n${countNoun(plan.hosts.length, 'host')} in ${countNoun(plan.waves.length, 'wave')}; expected finish ${plan.finish === null ? 'never: some hosts have no window within a year' : when(plan.finish)}\n`);
  const e = plan.sla;
  io.stdout.write(`SLA effect: fixes ${e.findings} open findings: ${e.onTime} before their due date, ${e.late} after it, ${e.alreadyOverdue} already overdue, ${e.unscheduled} on hosts with no window\n`);
  return 0;
}

export async function deployCreate(api: ApiClient, name: string, o: DeploySelectionOptions, io: Io): Promise<number> {
  const d = await api.post<DeploymentView>('/api/v1/deployments', { name, ...requestBody(o) });
  io.stdout.write(`deployment ${d.id} (${d.name}): patch set ${d.patchSet} to ${d.environment} in ${countNoun(d.waveCount, 'wave')}; start it with: patchwise deploy start ${d.id}${o.change ? '' : ' --change CHANGE_ID'}\n`);
  return 0;
}

export async function deployCommand(api: ApiClient, id: string, command: 'start' | 'pause' | 'resume' | 'halt' | 'cancel' | 'rollback', o: { reason?: string; change?: string }, io: Io): Promise<number> {
  const body = command === 'start' ? (o.change ? { changeId: o.change } : {}) : o.reason ? { reason: o.reason } : {};
  const d = await api.post<DeploymentView>(`/api/v1/deployments/${int(id, 'deployment id')}/${command}`, body);
  io.stdout.write(`deployment ${d.id}: ${d.state}${d.stateReason ? ` (${d.stateReason})` : ''}\n`);
  return 0;
}

export async function deployList(api: ApiClient, o: { json?: boolean }, io: Io): Promise<number> {
  const { deployments } = await api.get<{ deployments: DeploymentView[] }>('/api/v1/deployments');
  if (o.json) io.stdout.write(`${JSON.stringify(deployments, null, 2)}\n`);
  else io.stdout.write(textTable(['ID', 'NAME', 'PATCH SET', 'ENVIRONMENT', 'STATE', 'WAVE', 'CREATED'], deployments.map((d) => [String(d.id), d.name, String(d.patchSet), d.environment, d.state, `${d.currentWave}/${d.waveCount}`, d.createdAt.slice(0, 16)])));
  return 0;
}

export async function deployJobs(api: ApiClient, id: string, o: { host?: string; json?: boolean }, io: Io): Promise<number> {
  type JobView = { id: string; hostName: string; action: string; wave: number; state: string; stateReason: string | null; targets: { name: string; version: string | null }[]; previous: { name: string; version: string | null }[] | null };
  const { jobs } = await api.get<{ jobs: JobView[] }>(`/api/v1/deployments/${int(id, 'deployment id')}/jobs`, { host: o.host });
  // No jobs for --host: say so when it names no host at all (jobs keep the names of hosts since removed).
  if (o.host !== undefined && jobs.length === 0) await resolveHost(api, o.host);
  if (o.json) io.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
  else io.stdout.write(textTable(['JOB', 'HOST', 'ACTION', 'WAVE', 'STATE', 'TARGETS', 'PREVIOUS', 'REASON'], jobs.map((j) => [j.id, j.hostName, j.action, String(j.wave), j.state, j.targets.map((t) => `${t.name}=${t.version ?? '(none)'}`).join(' '), (j.previous ?? []).map((t) => `${t.name}=${t.version ?? '(none)'}`).join(' '), j.stateReason ?? ''])));
  return 0;
}

const TERMINAL = new Set(['completed', 'halted', 'rolled-back', 'cancelled']);
const BAR = 24;

/** One screen of status: the deployment, a bar per wave, and why hosts wait. */
export function renderStatus(s: StatusView): string {
  const d = s.deployment;
  const lines = [`deployment ${d.id} (${d.name}): patch set ${d.patchSet} → ${d.environment}: ${d.state.toUpperCase()}, wave ${d.currentWave} of ${d.waveCount}${d.stateReason ? ` — ${d.stateReason}` : ''}`];
  for (const w of s.waves) {
    const total = Object.values(w.install).reduce((a, b) => a + b, 0);
    const done = (w.install.succeeded ?? 0) + (w.install.skipped ?? 0);
    const bad = (w.install.failed ?? 0) + (w.install['rolled-back'] ?? 0);
    const busy = (w.install.dispatched ?? 0) + (w.install.running ?? 0) + (w.install.rebooting ?? 0);
    const rebooting = w.install.rebooting ? ` (${w.install.rebooting} rebooting)` : '';
    const cells = (n: number) => (total === 0 ? 0 : Math.round((n / total) * BAR));
    const bar = '█'.repeat(cells(done)) + '✗'.repeat(cells(bad)) + '▒'.repeat(cells(busy));
    const rb = Object.entries(w.rollback).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  wave ${String(w.wave).padStart(2)}${w.wave === 1 ? ' (canary)' : '         '} [${bar.padEnd(BAR, '·').slice(0, BAR)}] ${done}/${total} done, ${bad} failed, ${busy} in flight${rebooting}${rb ? `; rollback: ${rb}` : ''}`);
  }
  for (const [why, n] of Object.entries(s.waiting)) lines.push(`  waiting: ${countNoun(n, 'host')} (${why})`);
  return `${lines.join('\n')}\n`;
}

/** `deploy status ID [--watch]`: on a terminal, redraws every interval until the deployment ends. */
export async function deployStatus(api: ApiClient, id: string, o: { watch?: boolean; json?: boolean; intervalMs?: number }, io: Io, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<number> {
  const url = `/api/v1/deployments/${int(id, 'deployment id')}`;
  let previous = '';
  for (;;) {
    const s = await api.get<StatusView>(url);
    const text = o.json ? `${JSON.stringify(s)}\n` : renderStatus(s);
    if (text !== previous) io.stdout.write(o.watch && io.stdout.isTTY && !o.json ? `\x1b[H\x1b[2J${text}` : text);
    previous = text;
    if (!o.watch || TERMINAL.has(s.deployment.state)) return s.deployment.state === 'halted' ? 1 : 0;
    await sleep(o.intervalMs ?? 2000);
  }
}

export async function ringsShow(api: ApiClient, io: Io): Promise<number> {
  const { rings } = await api.get<{ rings: { environment: string; soakMinutes: number }[] }>('/api/v1/rings');
  io.stdout.write(rings.length ? `${rings.map((r, i) => `${i + 1}. ${r.environment} (soak ${r.soakMinutes} min)`).join('\n')}\n` : 'no rings: every environment is deployed on its own approval\n');
  return 0;
}

/** `rings set test:120 staging:1440 production:0` (ENVIRONMENT:SOAK_MINUTES, in promotion order). */
export async function ringsSet(api: ApiClient, specs: string[], io: Io): Promise<number> {
  const rings = specs.map((s) => {
    const at = s.lastIndexOf(':');
    if (at <= 0) throw new PatchwiseError('PW_USAGE', `ring "${s}" is not ENVIRONMENT:SOAK_MINUTES`);
    return { environment: s.slice(0, at), soakMinutes: int(s.slice(at + 1), `ring ${s}`) };
  });
  await api.put('/api/v1/rings', { rings });
  return ringsShow(api, io);
}

export async function scriptsList(api: ApiClient, o: { json?: boolean }, io: Io): Promise<number> {
  type Script = { name: string; sha256: string; createdBy: string; approvedBy: string | null; body: string };
  const { scripts } = await api.get<{ scripts: Script[] }>('/api/v1/scripts');
  if (o.json) io.stdout.write(`${JSON.stringify(scripts, null, 2)}\n`);
  else io.stdout.write(textTable(['NAME', 'SHA-256', 'APPROVED'], scripts.map((s) => [s.name, s.sha256.slice(0, 16), s.approvedBy === null ? 'no' : 'yes'])));
  return 0;
}

export async function scriptsPut(api: ApiClient, name: string, file: string, io: Io): Promise<number> {
  const { readFileSync } = await import('node:fs');
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PatchwiseError('PW_INPUT_UNREADABLE', (err as Error).message, { input: file });
  }
  const s = await api.put<{ sha256: string }>(`/api/v1/scripts/${encodeURIComponent(name)}`, { body });
  io.stdout.write(`script ${name}: ${s.sha256}; another person approves it with: patchwise scripts approve ${name} ${s.sha256}\n`);
  return 0;
}

export async function scriptsApprove(api: ApiClient, name: string, sha256: string, io: Io): Promise<number> {
  await api.post(`/api/v1/scripts/${encodeURIComponent(name)}/approve`, { sha256 });
  io.stdout.write(`script ${name} approved\n`);
  return 0;
}
