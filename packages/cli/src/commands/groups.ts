import { countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream };

interface GroupView {
  name: string;
  description: string;
  selector: Record<string, unknown>;
}

export interface GroupSetOptions {
  readonly description?: string;
  readonly host: string[];
  readonly tier: string[];
  readonly environment: string[];
  readonly tag: string[];
  readonly os: string[];
  readonly cluster: string[];
  readonly internetFacing?: boolean;
}

/** The selector as typed on the command line; the server validates it (and names the field). */
function selectorOf(o: GroupSetOptions): Record<string, unknown> {
  const list = (k: string, v: string[]) => (v.length ? { [k]: v } : {});
  return {
    ...list('hosts', o.host),
    ...(o.tier.length ? { tier: o.tier.map(Number) } : {}),
    ...list('environment', o.environment),
    ...list('tags', o.tag),
    ...list('os', o.os),
    ...list('cluster', o.cluster),
    ...(o.internetFacing !== undefined ? { internetFacing: o.internetFacing } : {}),
  };
}

const describe = (selector: Record<string, unknown>) =>
  Object.entries(selector)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');

export async function groupsSet(api: ApiClient, name: string, opts: GroupSetOptions, io: Io): Promise<number> {
  const g = await api.put<GroupView>(`/api/v1/groups/${encodeURIComponent(name)}`, { ...(opts.description ? { description: opts.description } : {}), selector: selectorOf(opts) });
  io.stdout.write(`group ${g.name}: ${describe(g.selector)}\n`);
  return 0;
}

export async function groupsList(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const { groups } = await api.get<{ groups: GroupView[] }>('/api/v1/groups');
  if (opts.json) io.stdout.write(`${JSON.stringify(groups, null, 2)}\n`);
  else io.stdout.write(textTable(['GROUP', 'SELECTS', 'DESCRIPTION'], groups.map((g) => [g.name, describe(g.selector), g.description])));
  return 0;
}

/** The hosts a group selects right now. */
export async function groupsShow(api: ApiClient, name: string, opts: { json?: boolean }, io: Io): Promise<number> {
  const r = await api.get<{ group: GroupView; hosts: { id: string; name: string; os: { id: string; versionId: string | null } | null; attributes: { tier: number | null; environment: string | null } }[] }>(`/api/v1/groups/${encodeURIComponent(name)}/hosts`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`group ${r.group.name} (${describe(r.group.selector)}): ${countNoun(r.hosts.length, 'host')}\n`);
  const rows = r.hosts.map((h) => [h.name, h.os ? `${h.os.id} ${h.os.versionId ?? ''}`.trim() : '-', h.attributes.tier === null ? '-' : String(h.attributes.tier), h.attributes.environment ?? '-', h.id]);
  if (rows.length) io.stdout.write(textTable(['NAME', 'OS', 'TIER', 'ENVIRONMENT', 'ID'], rows));
  return 0;
}

export async function groupsDelete(api: ApiClient, name: string, io: Io): Promise<number> {
  await api.delete(`/api/v1/groups/${encodeURIComponent(name)}`);
  io.stdout.write(`group ${name} deleted\n`);
  return 0;
}
