import { attributePairsToObject, isPatchwiseError, PatchwiseError, countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

interface HostView {
  id: string;
  name: string;
  os: { id: string; versionId: string | null } | null;
  attributes: { tier: number | null; environment: string | null; owner: string | null; tags: string[]; internetFacing: boolean | null };
  status: string;
  connectivity: string;
  /** `endedOn` is absent from servers before it was reported. */
  eol: { status: string; date: string | null; endedOn?: string | null };
  lastSeenAt: string | null;
  ecosystem: string | null;
  inventoryAt: string | null;
  /** False when no advisory held applies to the host's ecosystem; absent from older servers. */
  advisoriesHeld?: boolean | null;
}

export interface HostListOptions {
  readonly os?: string;
  readonly tier?: string;
  readonly environment?: string;
  readonly tag?: string;
  readonly stale?: boolean;
  readonly offline?: boolean;
  readonly quarantined?: boolean;
  readonly retired?: boolean;
  readonly eol?: boolean;
  readonly json?: boolean;
}

type Io = { stdout: NodeJS.WritableStream };

export async function hostsList(api: ApiClient, opts: HostListOptions, io: Io): Promise<number> {
  const hosts: HostView[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await api.get<{ total: number; hosts: HostView[] }>('/api/v1/hosts', {
      os: opts.os,
      tier: opts.tier,
      environment: opts.environment,
      tag: opts.tag,
      status: opts.retired ? 'retired' : opts.quarantined ? 'quarantined' : undefined,
      connectivity: opts.stale ? 'stale' : opts.offline ? 'offline' : undefined,
      eol: opts.eol ? true : undefined,
      limit: 1000,
      offset,
    });
    hosts.push(...page.hosts);
    if (hosts.length >= page.total || page.hosts.length === 0) break;
  }
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(hosts, null, 2)}\n`);
    return 0;
  }
  const rows = hosts.map((h) => [
    h.name,
    h.os ? `${h.os.id} ${h.os.versionId ?? ''}`.trim() : '-',
    h.attributes.tier === null ? '-' : String(h.attributes.tier),
    h.attributes.environment ?? '-',
    stateOf(h),
    h.eol.status === 'eol' ? `EOL ${h.eol.endedOn ?? h.eol.date ?? ''}`.trim() : h.eol.status,
    assessedOf(h),
    h.lastSeenAt ?? 'never',
    h.id,
  ]);
  io.stdout.write(textTable(['NAME', 'OS', 'TIER', 'ENVIRONMENT', 'STATE', 'SUPPORT', 'ASSESSED', 'LAST SEEN', 'ID'], rows));
  io.stdout.write(unassessedNote(hosts));
  return 0;
}

/**
 * Whether the host's packages are assessed: a host no advisory held covers has no findings
 * because nothing is known, and must not read as clean (as compliance reports it `unknown`).
 */
function assessedOf(h: HostView): string {
  if (h.advisoriesHeld === undefined) return '-'; // an older server does not say
  if (h.advisoriesHeld === null) return 'unknown os';
  if (!h.advisoriesHeld) return 'NO ADVISORIES';
  return h.inventoryAt === null ? 'no inventory' : 'yes';
}

/** The line under the table naming the ecosystems of the listed hosts that nothing held covers. */
function unassessedNote(hosts: readonly HostView[]): string {
  const counts = new Map<string, number>();
  for (const h of hosts) if (h.advisoriesHeld === false) counts.set(h.ecosystem ?? '?', (counts.get(h.ecosystem ?? '?') ?? 0) + 1);
  if (counts.size === 0) return '';
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const each = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([e, n]) => `${e} (${countNoun(n, 'host')})`);
  return `${countNoun(total, 'host')} not assessed: no advisories held for ${each.join(', ')}; import or sync their feeds (docs/feeds.md)\n`;
}

function stateOf(h: HostView): string {
  return h.status === 'quarantined' ? 'QUARANTINED' : h.status === 'retired' ? 'RETIRED' : h.connectivity;
}

/**
 * A host by id, or by name when exactly one host in the fleet has it; a name only retired hosts
 * carry finds the retired one (`hosts show` of a host that left), unless `inFleetOnly`.
 */
export async function resolveHost(api: ApiClient, idOrName: string, inFleetOnly = false): Promise<string> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(idOrName)) return idOrName;
  // Up to ten of a name, to list them when it is not one.
  let { hosts } = await api.get<{ hosts: HostView[] }>('/api/v1/hosts', { name: idOrName, limit: 10 });
  if (hosts.length === 0 && !inFleetOnly) ({ hosts } = await api.get<{ hosts: HostView[] }>('/api/v1/hosts', { name: idOrName, status: 'retired', limit: 10 }));
  if (hosts.length === 0) throw new PatchwiseError('PW_NOT_FOUND', `no host named ${idOrName}`);
  if (hosts.length > 1) {
    const which = hosts.map((h) => `${h.id} (${stateOf(h)}, last seen ${h.lastSeenAt ?? 'never'})`).join(', ');
    throw new PatchwiseError('PW_CONFLICT', `several hosts are named ${idOrName}; use the id: ${which}${hosts.length === 10 ? ', …' : ''}`);
  }
  return (hosts[0] as HostView).id;
}

interface HostDetail extends HostView {
  machineId: string | null;
  quarantineReason: string | null;
  retiredAt: string | null;
  retiredReason: string | null;
  attributes: HostView['attributes'] & { cluster: string | null; timezone: string | null };
  eol: HostView['eol'] & { reason: string; packages: { sourceName: string; version: string; reason: string }[] };
  packages: number;
  openFindings: Record<string, number>;
  /** What the agent last reported (the server's AgentFacts); absent from older servers' answers. */
  facts?: Readonly<Record<string, unknown>>;
}

/** One host: a readable summary, or the API's JSON with `--json`. */
export async function hostsShow(api: ApiClient, idOrName: string, opts: { json?: boolean }, io: Io): Promise<number> {
  const h = await api.get<HostDetail>(`/api/v1/hosts/${await resolveHost(api, idOrName)}`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(h, null, 2)}\n`);
    return 0;
  }
  const a = h.attributes;
  const open = Object.entries(h.openFindings).map(([p, n]) => `${p} ${n}`).join(', ');
  const lines: [string, string][] = [
    ['name', h.name],
    ['id', h.id],
    ['machine id', h.machineId ?? '-'],
    ['os', h.os ? `${h.os.id} ${h.os.versionId ?? ''}`.trim() + (h.ecosystem ? ` (${h.ecosystem})` : '') : '-'],
    ['state', h.status === 'quarantined' ? `QUARANTINED: ${h.quarantineReason ?? ''}` : h.status === 'retired' ? `RETIRED at ${h.retiredAt ?? '?'}${h.retiredReason ? `: ${h.retiredReason}` : ''}` : h.connectivity],
    ['last seen', h.lastSeenAt ?? 'never'],
    ...factLines(h.facts ?? {}),
    ['inventory', h.inventoryAt ? `${countNoun(h.packages, 'package')} at ${h.inventoryAt}` : 'none yet'],
    ['support', `${h.eol.status}: ${h.eol.reason}`],
    ...h.eol.packages.map((p): [string, string] => ['  package', `${p.sourceName} ${p.version}: ${p.reason}`]),
    ['open findings', open],
    // No findings for lack of advisories is not a clean host: say so where the count is read.
    ...(h.advisoriesHeld === false ? [['advisories', `none held for this host's ecosystem (${h.ecosystem ?? '?'}): import or sync its feed (docs/feeds.md)`] as [string, string]] : []),
    ['tier', a.tier === null ? '-' : String(a.tier)],
    ['environment', a.environment ?? '-'],
    ['owner', a.owner ?? '-'],
    ['internet-facing', a.internetFacing === null ? '-' : a.internetFacing ? 'yes' : 'no'],
    ['cluster', a.cluster ?? '-'],
    // The attribute decides maintenance windows; without one, the zone the host reports does.
    ['timezone', a.timezone ?? (typeof h.facts?.timezone === 'string' ? `${h.facts.timezone} (reported by the host; no attribute set)` : '-')],
    ['tags', a.tags.join(', ') || '-'],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  io.stdout.write(lines.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join(''));
  return 0;
}

/** What the agent last reported about the running machine, `-` where it could not tell. */
function factLines(facts: Readonly<Record<string, unknown>>): [string, string][] {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : '-');
  const ips = Array.isArray(facts.ips) && facts.ips.length > 0 ? facts.ips.join(', ') : '-';
  const reboot = facts.rebootRequired === true ? 'yes' : facts.rebootRequired === false ? 'no' : '-';
  return [
    ['kernel', `${text(facts.kernel)}${typeof facts.arch === 'string' ? ` (${facts.arch})` : ''}`],
    ['addresses', ips],
    ['up for', typeof facts.uptimeSeconds === 'number' ? duration(facts.uptimeSeconds) : '-'],
    ['reboot required', reboot],
    ['agent', text(facts.agentVersion)],
  ];
}

/** Seconds as days, hours and minutes (`3d 4h 5m`), the largest two units that are not zero. */
function duration(seconds: number): string {
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
  ];
  const shown = parts.filter(([n]) => n > 0).slice(0, 2);
  return shown.length === 0 ? `${Math.floor(seconds)}s` : shown.map(([n, u]) => `${n}${u}`).join(' ');
}

/** Changes a host, then shows it as `hosts show` does (the API's JSON with `--json`). */
export async function hostsSet(api: ApiClient, idOrName: string, opts: { attr: string[]; quarantine?: boolean; release?: boolean; reason?: string; json?: boolean }, io: Io): Promise<number> {
  // Refused rather than one of them quietly winning (the later flag used to release the host).
  if (opts.quarantine && opts.release) throw new PatchwiseError('PW_USAGE', '--quarantine and --release contradict each other: give one');
  if (opts.reason !== undefined && !opts.quarantine && !opts.release) throw new PatchwiseError('PW_USAGE', '--reason goes with --quarantine or --release (it says why, in the audit trail)');
  const body: Record<string, unknown> = {};
  if (opts.attr.length > 0) body.attributes = attributePairsToObject(opts.attr);
  if (opts.quarantine) body.status = 'quarantined';
  if (opts.release) body.status = 'active';
  if (opts.reason) body.reason = opts.reason;
  if (Object.keys(body).length === 0) throw new PatchwiseError('PW_USAGE', 'nothing to set: give --attr key=value, --quarantine or --release');
  const id = await resolveHost(api, idOrName);
  await api.patch<unknown>(`/api/v1/hosts/${id}`, body);
  return hostsShow(api, id, { json: opts.json }, io);
}

export interface HostRetireOptions {
  readonly reason?: string;
  /** Every host in the fleet whose name starts with this (simulated hosts: `sim-`). */
  readonly namePrefix?: string;
  /** With --name-prefix: retire them; without it the command only lists what it would retire. */
  readonly yes?: boolean;
}

/**
 * Retires hosts named on the command line, or every host in the fleet whose name starts with a
 * prefix. One request per host, so each is audited and refused on its own (a host with
 * unfinished deployment jobs); the others go on, and the exit code says whether any failed.
 */
export async function hostsRetire(api: ApiClient, idsOrNames: readonly string[], opts: HostRetireOptions, io: Io & { stderr: NodeJS.WritableStream }): Promise<number> {
  if ((idsOrNames.length > 0) === (opts.namePrefix !== undefined)) throw new PatchwiseError('PW_USAGE', 'give the hosts to retire, or --name-prefix, not both');
  let targets: { id: string; label: string }[];
  if (opts.namePrefix !== undefined) {
    const found: HostView[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await api.get<{ total: number; hosts: HostView[] }>('/api/v1/hosts', { namePrefix: opts.namePrefix, limit: 1000, offset });
      found.push(...page.hosts);
      if (found.length >= page.total || page.hosts.length === 0) break;
    }
    targets = found.map((h) => ({ id: h.id, label: `${h.name} ${h.id}` }));
    if (!opts.yes) {
      for (const t of targets) io.stdout.write(`would retire ${t.label}\n`);
      io.stderr.write(`${countNoun(targets.length, 'host')} named ${opts.namePrefix}…; nothing retired: add --yes to retire ${targets.length === 1 ? 'it' : 'them'}\n`);
      return 0;
    }
  } else {
    targets = [];
    for (const h of idsOrNames) targets.push({ id: await resolveHost(api, h, true), label: h });
  }
  let failed = 0;
  for (const t of targets) {
    try {
      const host = await api.post<{ id: string; name: string }>(`/api/v1/hosts/${t.id}/retire`, opts.reason ? { reason: opts.reason } : {});
      io.stdout.write(`retired ${host.name} ${host.id}\n`);
    } catch (err) {
      if (!isPatchwiseError(err)) throw err;
      failed++;
      io.stderr.write(`patchwise: ${t.label}: ${err.message}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
