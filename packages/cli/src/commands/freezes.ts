import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream };

interface FreezeView {
  name: string;
  start: string;
  end: string;
  timeZone?: string;
  groups: string[];
  reason: string;
}

export interface FreezePutOptions {
  readonly from: string;
  readonly to: string;
  readonly timeZone?: string;
  readonly group: string[];
  readonly reason: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const span = (f: FreezeView) => (DATE_ONLY.test(f.start) ? `${f.start} to ${f.end} (whole days, ${f.timeZone ?? "each host's zone"})` : `${f.start} to ${f.end}`);

export async function freezesPut(api: ApiClient, name: string, o: FreezePutOptions, io: Io): Promise<number> {
  const f = await api.put<FreezeView>(`/api/v1/freezes/${encodeURIComponent(name)}`, {
    start: o.from,
    end: o.to,
    ...(o.timeZone === undefined ? {} : { timeZone: o.timeZone }),
    groups: o.group,
    reason: o.reason,
  });
  io.stdout.write(`freeze ${f.name}: ${span(f)}; ${f.groups.length ? f.groups.join(', ') : 'every host'}: ${f.reason}\n`);
  return 0;
}

export async function freezesList(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const { freezes } = await api.get<{ freezes: FreezeView[] }>('/api/v1/freezes');
  if (opts.json) io.stdout.write(`${JSON.stringify(freezes, null, 2)}\n`);
  else {
    const rows = freezes.map((f) => [f.name, f.start, f.end, DATE_ONLY.test(f.start) ? (f.timeZone ?? '(host)') : '-', f.groups.join(' ') || '(all)', f.reason]);
    io.stdout.write(textTable(['FREEZE', 'FROM', 'TO', 'TIME ZONE', 'GROUPS', 'REASON'], rows));
  }
  return 0;
}

export async function freezesDelete(api: ApiClient, name: string, io: Io): Promise<number> {
  await api.delete(`/api/v1/freezes/${encodeURIComponent(name)}`);
  io.stdout.write(`freeze ${name} deleted\n`);
  return 0;
}
