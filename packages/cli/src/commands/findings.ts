import { countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';
import { resolveHost } from './hosts.js';

export interface FindingsListOptions {
  readonly host?: string;
  readonly priority: string[];
  readonly kev?: boolean;
  readonly type: string[];
  readonly state?: string;
  readonly package?: string;
  readonly advisory?: string;
  readonly sort?: string;
  readonly limit: string;
  readonly overdue?: boolean;
  readonly lane?: string;
  readonly json?: boolean;
}

interface FindingView {
  id: string;
  host: string;
  advisory: string;
  package: string;
  installed: string;
  fixed: string | null;
  priority: string;
  kev: boolean;
  type: string;
  firstSeen: string;
  dueAt: string;
  sla: 'ok' | 'due-soon' | 'breached' | 'excepted' | 'retracted';
  exception: { id: string; category: string; owner: string; expiresAt: string } | null;
  aliases: string[];
  severity: string | null;
  cvss: number | null;
  epss: number | null;
  reasons: string[];
  summary: string;
  state: 'open' | 'fixed' | 'retracted';
  fixedAt: string | null;
  fixAwaitingReboot: string | null;
  retractedAt: string | null;
  published: string | null;
  slaStart: string;
  baseline: { name: string; state: string; approvesAt: string | null; reason: string };
  lane: { lane: 'emergency' | 'scheduled'; reasons: string[] };
}

// A retracted finding was never due: the advisory stopped applying to what is installed.
const due = (f: FindingView) =>
  f.sla === 'retracted'
    ? 'retracted'
    : f.exception
      ? `excepted to ${f.exception.expiresAt.slice(0, 10)}`
      : `${f.dueAt.slice(0, 10)}${f.sla === 'breached' ? ' OVERDUE' : f.sla === 'due-soon' ? ' soon' : ''}`;
/** The state with when it closed (fixed: the host changed; retracted: the advisory did), or the fix an open one awaits a reboot for. */
const stateOf = (f: FindingView) =>
  f.state === 'fixed' && f.fixedAt
    ? `fixed ${f.fixedAt.slice(0, 10)}`
    : f.state === 'retracted' && f.retractedAt
      ? `retracted ${f.retractedAt.slice(0, 10)}`
      : f.fixAwaitingReboot
        ? `${f.state}: the fixed kernel ${f.fixAwaitingReboot} is installed, the host has not rebooted into it`
        : f.state;
/** The installed version, and the installed fix the host has not booted. */
const installed = (f: FindingView) => (f.fixAwaitingReboot ? `${f.installed} (${f.fixAwaitingReboot} at reboot)` : f.installed);
const decision = (f: FindingView) => (f.baseline.state === 'pending' && f.baseline.approvesAt ? `pending to ${f.baseline.approvesAt.slice(0, 10)}` : f.baseline.state);

export async function findingsList(api: ApiClient, opts: FindingsListOptions, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  // A host that does not exist is an error, as for hosts show, not an empty list.
  const host = opts.host === undefined ? undefined : await resolveHost(api, opts.host);
  const page = await api.get<{ total: number; findings: FindingView[] }>('/api/v1/findings', {
    host,
    priority: opts.priority.length ? opts.priority : undefined,
    kev: opts.kev ? true : undefined,
    type: opts.type.length ? opts.type : undefined,
    state: opts.state,
    package: opts.package,
    advisory: opts.advisory,
    sort: opts.sort,
    limit: opts.limit,
    overdue: opts.overdue ? true : undefined,
    lane: opts.lane,
  });
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  if (page.total === 0) {
    // A hint only: a caller not allowed to read feeds or the host still gets its (empty) list.
    const blind = await blindSpots(api, host).catch(() => undefined);
    if (blind) io.stderr.write(`${blind}\n`);
  }
  const rows = page.findings.map((f) => [f.id, f.priority, f.host, f.package, installed(f), f.fixed ?? '-', f.kev ? 'KEV' : '', f.type, f.lane.lane, decision(f), f.firstSeen.slice(0, 10), due(f), f.advisory]);
  io.stdout.write(textTable(['ID', 'PRIORITY', 'HOST', 'PACKAGE', 'INSTALLED', 'FIXED IN', 'KEV', 'TYPE', 'LANE', 'BASELINE', 'FIRST SEEN', 'DUE', 'ADVISORY'], rows));
  if (page.total > page.findings.length) io.stderr.write(`${page.findings.length} of ${page.total} shown; use --limit or --json\n`);
  return 0;
}

/**
 * Why an empty list may not mean "nothing to fix": the ecosystems of the host (or of any host)
 * that no advisory held covers, whose packages nobody assessed. Asked only for an empty list.
 */
async function blindSpots(api: ApiClient, hostId: string | undefined): Promise<string | undefined> {
  if (hostId !== undefined) {
    const host = await api.get<{ name: string; ecosystem: string | null; advisoriesHeld: boolean | null }>(`/api/v1/hosts/${encodeURIComponent(hostId)}`);
    return host.advisoriesHeld === false && host.ecosystem
      ? `no findings, but no advisories are held for ${host.ecosystem}: ${host.name}'s distribution packages were not assessed (see feeds status)`
      : undefined;
  }
  const { uncovered } = await api.get<{ uncovered?: { ecosystem: string; hosts: number }[] }>('/api/v1/feeds');
  return uncovered?.length
    ? `no findings, but no advisories are held for ${uncovered.map((u) => `${u.ecosystem} (${countNoun(u.hosts, 'host')})`).join(', ')}: those hosts' distribution packages were not assessed (see feeds status)`
    : undefined;
}

/** One finding with every judgement and its reasons: priority, SLA, exception, baseline, lane. */
export async function findingsShow(api: ApiClient, id: string, opts: { json?: boolean }, io: { stdout: NodeJS.WritableStream }): Promise<number> {
  const f = await api.get<FindingView>(`/api/v1/findings/${encodeURIComponent(id)}`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
    return 0;
  }
  const score = [f.severity ?? 'severity unknown', f.cvss === null ? '' : `CVSS ${f.cvss.toFixed(1)}`, f.epss === null ? '' : `EPSS ${f.epss.toFixed(2)}`, f.kev ? 'KEV' : ''].filter(Boolean).join(', ');
  const rows: [string, string][] = [
    ['advisory', `${f.advisory}${f.aliases.length ? ` (${f.aliases.join(', ')})` : ''}: ${f.summary}`],
    ['host', f.host],
    ['package', `${f.package} ${f.installed} → ${f.fixed ?? 'no fix known'}`],
    ['type', `${f.type}; ${score}`],
    ['priority', `${f.priority}: ${f.reasons.join('; ')}`],
    ['state', `${stateOf(f)}, first seen ${f.firstSeen.slice(0, 10)}${f.published ? `, published ${f.published.slice(0, 10)}` : ''}`],
    ['sla', `${due(f)} (clock from ${f.slaStart.slice(0, 10)})`],
    ['exception', f.exception ? `${f.exception.id} ${f.exception.category}, owner ${f.exception.owner}, until ${f.exception.expiresAt.slice(0, 10)}` : '-'],
    ['baseline', `${f.baseline.name}: ${decision(f)}: ${f.baseline.reason}`],
    ['lane', `${f.lane.lane}: ${f.lane.reasons.join('; ')}`],
  ];
  io.stdout.write(rows.map(([k, v]) => `${k.padEnd(10)}${v}`).join('\n') + '\n');
  return 0;
}
