import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

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
  readonly json?: boolean;
}

interface FindingView {
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
  sla: 'ok' | 'due-soon' | 'breached' | 'excepted';
  exception: { id: string; expiresAt: string } | null;
}

export async function findingsList(api: ApiClient, opts: FindingsListOptions, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const page = await api.get<{ total: number; findings: FindingView[] }>('/api/v1/findings', {
    host: opts.host,
    priority: opts.priority.length ? opts.priority : undefined,
    kev: opts.kev ? true : undefined,
    type: opts.type.length ? opts.type : undefined,
    state: opts.state,
    package: opts.package,
    advisory: opts.advisory,
    sort: opts.sort,
    limit: opts.limit,
    overdue: opts.overdue ? true : undefined,
  });
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  const due = (f: FindingView) =>
    f.exception ? `excepted to ${f.exception.expiresAt.slice(0, 10)}` : `${f.dueAt.slice(0, 10)}${f.sla === 'breached' ? ' OVERDUE' : f.sla === 'due-soon' ? ' soon' : ''}`;
  const rows = page.findings.map((f) => [f.priority, f.host, f.package, f.installed, f.fixed ?? '-', f.kev ? 'KEV' : '', f.type, f.firstSeen.slice(0, 10), due(f), f.advisory]);
  io.stdout.write(textTable(['PRIORITY', 'HOST', 'PACKAGE', 'INSTALLED', 'FIXED IN', 'KEV', 'TYPE', 'FIRST SEEN', 'DUE', 'ADVISORY'], rows));
  if (page.total > page.findings.length) io.stderr.write(`${page.findings.length} of ${page.total} shown; use --limit or --json\n`);
  return 0;
}
