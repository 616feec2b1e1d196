import { countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { readDocumentFile } from '../read-document-file.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream };

interface Rule {
  types: string[];
  minSeverity?: string;
  minPriority?: string;
  afterDays: number;
}

interface BaselineView {
  name: string;
  description: string;
  group?: string;
  precedence?: number;
  rules: Rule[];
  approveKevAtOnce: boolean;
  approve: string[];
  reject: string[];
  holds: { package: string; version: string; ecosystem?: string; reason: string }[];
}

const rule = (r: Rule) => [r.types.join('/'), r.minSeverity ? `severity ≥ ${r.minSeverity}` : '', r.minPriority ? `${r.minPriority}+` : '', r.afterDays === 0 ? 'at once' : `after ${r.afterDays}d`].filter(Boolean).join(' ');
const applies = (b: BaselineView) => (b.group === undefined ? 'default' : `group ${b.group} (precedence ${b.precedence ?? '?'})`);

export async function baselinesSet(api: ApiClient, name: string, file: string, io: Io): Promise<number> {
  const b = await api.put<BaselineView>(`/api/v1/baselines/${encodeURIComponent(name)}`, readDocumentFile(file, 'baseline (group, precedence, rules, approve, reject, holds)'));
  io.stdout.write(`baseline ${b.name}: ${applies(b)}; ${countNoun(b.rules.length, 'rule')}, ${b.approve.length} approved, ${b.reject.length} rejected, ${countNoun(b.holds.length, 'hold')}\n`);
  return 0;
}

/** Every baseline in the order hosts take them: precedence, then the default. */
export async function baselinesList(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const { baselines } = await api.get<{ baselines: BaselineView[] }>('/api/v1/baselines');
  if (opts.json) io.stdout.write(`${JSON.stringify(baselines, null, 2)}\n`);
  else {
    const rows = baselines.map((b) => [b.name, b.group ?? '(default)', b.precedence === undefined ? '-' : String(b.precedence), b.rules.map(rule).join('; ') || '-', b.approveKevAtOnce ? 'yes' : 'no', String(b.approve.length), String(b.reject.length), String(b.holds.length)]);
    io.stdout.write(textTable(['BASELINE', 'GROUP', 'PRECEDENCE', 'RULES', 'KEV AT ONCE', 'APPROVED', 'REJECTED', 'HOLDS'], rows));
  }
  return 0;
}

/** A baseline in full and the hosts that follow it now. */
export async function baselinesShow(api: ApiClient, name: string, opts: { json?: boolean }, io: Io): Promise<number> {
  const r = await api.get<{ baseline: BaselineView; hosts: { id: string; name: string }[] }>(`/api/v1/baselines/${encodeURIComponent(name)}`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  }
  const b = r.baseline;
  const lines = [
    `baseline ${b.name}: ${applies(b)}${b.description ? ` — ${b.description}` : ''}`,
    ...b.rules.map((x, i) => `rule ${i + 1}: ${rule(x)}`),
    `KEV approved at once: ${b.approveKevAtOnce ? 'yes' : 'no'}`,
    `approve: ${b.approve.join(', ') || '-'}`,
    `reject: ${b.reject.join(', ') || '-'}`,
    ...b.holds.map((h) => `hold: ${h.package} at ${h.version}${h.ecosystem ? ` (${h.ecosystem})` : ''}: ${h.reason}`),
    `${countNoun(r.hosts.length, 'host')} follow${r.hosts.length === 1 ? 's' : ''} it${r.hosts.length ? `: ${r.hosts.map((h) => h.name).join(', ')}` : ''}`,
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export async function baselinesDelete(api: ApiClient, name: string, io: Io): Promise<number> {
  await api.delete(`/api/v1/baselines/${encodeURIComponent(name)}`);
  io.stdout.write(`baseline ${name} deleted\n`);
  return 0;
}
