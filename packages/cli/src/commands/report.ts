import { countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream };

interface ComplianceReply {
  failAt: string;
  summary: { hosts: number; compliant: number; nonCompliant: number; unknown: number; rate: number | null };
  hosts: { id: string; name: string; status: 'compliant' | 'non-compliant' | 'unknown'; reasons: string[]; baseline: string }[];
}

/**
 * The fleet's compliance, each host judged by its patch baseline (or the built-in rule): a
 * summary line, then every host that is not compliant with its baseline and reasons
 * (all hosts with `--all`). Exit 1 when any host is non-compliant or unknown, for scripts and CI.
 */
export async function reportCompliance(api: ApiClient, opts: { failAt?: string; all?: boolean; json?: boolean }, io: Io): Promise<number> {
  const r = await api.get<ComplianceReply>('/api/v1/reports/compliance', { failAt: opts.failAt });
  if (opts.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else {
    const s = r.summary;
    const rate = s.rate === null ? 'no hosts' : `${(s.rate * 100).toFixed(1)} %`;
    io.stdout.write(`${s.compliant} of ${countNoun(s.hosts, 'host')} compliant (${rate}); ${s.nonCompliant} non-compliant, ${s.unknown} unknown; hosts no baseline applies to are judged by the built-in rule (BASELINE built-in): open security findings at ${r.failAt} or above fail\n`);
    const shown = r.hosts.filter((h) => opts.all || h.status !== 'compliant');
    if (shown.length > 0) io.stdout.write(textTable(['HOST', 'STATUS', 'BASELINE', 'REASONS'], shown.map((h) => [h.name, h.status, h.baseline, h.reasons.join('; ')])));
  }
  return r.summary.nonCompliant + r.summary.unknown > 0 ? 1 : 0;
}
