import { PatchwiseError, countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';
import { resolveHost } from './hosts.js';

type Io = { stdout: NodeJS.WritableStream };

interface PatchSetView {
  number: number;
  name: string;
  description: string;
  source: string;
  targets: { ecosystem: string; package: string; version: string }[];
  fixes: { advisory: string; ecosystem: string; package: string; priority: string; hosts: number }[];
  createdAt: string;
  createdBy: { name: string | null };
}

export interface PatchSetCreateOptions {
  readonly description?: string;
  readonly target: string[];
  readonly host?: string;
  readonly group?: string;
  readonly priority: string[];
  readonly advisory?: string;
  readonly kev?: boolean;
  readonly fromBaseline?: boolean;
}

/** `ECOSYSTEM:PACKAGE=VERSION`, split at the last ':' before '=' (ecosystems such as Debian:12 hold one). */
function parseTarget(text: string) {
  const eq = text.indexOf('=');
  const colon = eq > 0 ? text.lastIndexOf(':', eq) : -1;
  if (eq < 0 || colon <= 0 || colon === eq - 1 || eq === text.length - 1) throw new PatchwiseError('PW_USAGE', `--target: "${text}" is not ECOSYSTEM:PACKAGE=VERSION (e.g. Debian:12:openssl=3.0.15-1~deb12u1)`);
  return { ecosystem: text.slice(0, colon), package: text.slice(colon + 1, eq), version: text.slice(eq + 1) };
}

export async function patchSetsCreate(api: ApiClient, name: string, o: PatchSetCreateOptions, io: Io): Promise<number> {
  if (o.target.length && o.fromBaseline) throw new PatchwiseError('PW_USAGE', '--target and --from-baseline exclude each other');
  const host = o.host === undefined ? undefined : await resolveHost(api, o.host);
  const filter = { ...(host ? { host } : {}), ...(o.group ? { group: o.group } : {}), ...(o.priority.length ? { priority: o.priority } : {}), ...(o.advisory ? { advisory: o.advisory } : {}), ...(o.kev ? { kev: true } : {}) };
  const body = o.target.length ? { targets: o.target.map(parseTarget) } : o.fromBaseline ? { fromBaseline: filter } : { fromFindings: filter };
  const p = await api.post<PatchSetView>('/api/v1/patch-sets', { name, ...(o.description ? { description: o.description } : {}), ...body });
  io.stdout.write(`patch set ${p.number} (${p.name}): ${countNoun(p.targets.length, 'target')} fixing ${countNoun(p.fixes.length, 'advisory', 'advisories')}\n`);
  return 0;
}

export async function patchSetsList(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const { patchSets } = await api.get<{ patchSets: PatchSetView[] }>('/api/v1/patch-sets');
  if (opts.json) io.stdout.write(`${JSON.stringify(patchSets, null, 2)}\n`);
  else io.stdout.write(textTable(['NUMBER', 'NAME', 'SOURCE', 'TARGETS', 'FIXES', 'CREATED', 'BY'], patchSets.map((p) => [String(p.number), p.name, p.source, String(p.targets.length), String(p.fixes.length), p.createdAt.slice(0, 10), p.createdBy.name ?? '?'])));
  return 0;
}

export async function patchSetsShow(api: ApiClient, number: string, opts: { json?: boolean }, io: Io): Promise<number> {
  const p = await api.get<PatchSetView>(`/api/v1/patch-sets/${encodeURIComponent(number)}`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`patch set ${p.number}: ${p.name} (${p.source}, by ${p.createdBy.name ?? '?'} at ${p.createdAt})\n${p.description ? `${p.description}\n` : ''}\n`);
  io.stdout.write(textTable(['ECOSYSTEM', 'PACKAGE', 'TARGET VERSION'], p.targets.map((t) => [t.ecosystem, t.package, t.version])));
  io.stdout.write(`\n${textTable(['PRIORITY', 'ADVISORY', 'PACKAGE', 'HOSTS'], p.fixes.map((f) => [f.priority, f.advisory, f.package, String(f.hosts)]))}`);
  return 0;
}
