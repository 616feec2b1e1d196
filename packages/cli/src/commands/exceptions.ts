import { PatchwiseError } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream };

interface ExceptionView {
  id: string;
  host: string | null;
  hostName: string | null;
  group: string | null;
  advisory: string | null;
  package: string | null;
  category: string;
  owner: string;
  expiresAt: string;
  state: string;
  inForce: boolean;
  requestedBy: { name: string | null; id: string };
  decidedBy: { name: string | null; id: string } | null;
  revokedBy: { name: string | null; id: string } | null;
}

export interface ExceptionRequestOptions {
  readonly host?: string;
  readonly group?: string;
  readonly advisory?: string;
  readonly package?: string;
  readonly category: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

/** `--expires 30d` or a date; the server checks it is ahead and within a year. */
function expiresAt(text: string): string {
  const m = /^(\d{1,3})d$/.exec(text);
  const at = m ? new Date(Date.now() + Number(m[1]) * 86_400_000) : new Date(text);
  if (Number.isNaN(at.getTime())) throw new PatchwiseError('PW_USAGE', `--expires: "${text}" is neither a number of days (30d) nor a date`);
  return at.toISOString();
}

const line = (e: ExceptionView) =>
  `exception ${e.id}: ${e.state}${e.inForce ? ' (in force)' : ''}; ${e.host ? `host ${e.host}` : `group ${e.group ?? '?'}`} × ${[e.advisory, e.package].filter(Boolean).join(' / ')} until ${e.expiresAt}\n`;

export async function exceptionsRequest(api: ApiClient, opts: ExceptionRequestOptions, io: Io): Promise<number> {
  const { expires, ...rest } = opts;
  const e = await api.post<ExceptionView>('/api/v1/exceptions', { ...rest, expiresAt: expiresAt(expires) });
  io.stdout.write(line(e));
  return 0;
}

export async function exceptionsDecide(api: ApiClient, id: string, decision: 'approve' | 'reject' | 'revoke', opts: { comment?: string }, io: Io): Promise<number> {
  const e = await api.post<ExceptionView>(`/api/v1/exceptions/${encodeURIComponent(id)}/${decision}`, opts.comment ? { comment: opts.comment } : {});
  io.stdout.write(line(e));
  return 0;
}

/** `--expiring-within 14d` (or `14`): whole days. */
function days(text: string): number {
  const m = /^(\d{1,3})d?$/.exec(text.trim());
  if (!m || Number(m[1]) < 1) throw new PatchwiseError('PW_USAGE', `--expiring-within: "${text}" is not a number of days such as 14d`);
  return Number(m[1]);
}

/**
 * The exception register: each exception's scope, category, owner, requester, approver (and
 * revoker), expiry and state, where `expired` means its date has passed.
 */
export async function exceptionsList(api: ApiClient, opts: { state?: string; expiringWithin?: string; json?: boolean }, io: Io): Promise<number> {
  const within = opts.expiringWithin === undefined ? undefined : days(opts.expiringWithin);
  const { exceptions } = await api.get<{ exceptions: ExceptionView[] }>('/api/v1/exceptions', { state: opts.state, expiringWithinDays: within });
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(exceptions, null, 2)}\n`);
    return 0;
  }
  const who = (p: { name: string | null; id: string } | null) => (p ? (p.name ?? p.id.slice(0, 8)) : '-');
  // The approver is whoever approved it; a rejection's decider is not one.
  const approver = (e: ExceptionView) => (e.state === 'rejected' || e.state === 'requested' ? '-' : who(e.decidedBy));
  const decided = (e: ExceptionView) => (e.state === 'rejected' ? `rejected by ${who(e.decidedBy)}` : e.revokedBy ? `revoked by ${who(e.revokedBy)}` : '');
  const scope = (e: ExceptionView) => (e.host ? `host:${e.hostName ?? e.host.slice(0, 8)}` : `group:${e.group ?? ''}`);
  const rows = exceptions.map((e) => [e.id.slice(0, 8), e.state + (e.inForce ? '*' : ''), scope(e), e.advisory ?? '*', e.package ?? '*', e.category, e.owner, who(e.requestedBy), approver(e), e.expiresAt.slice(0, 10), decided(e)]);
  io.stdout.write(textTable(['ID', 'STATE', 'SCOPE', 'ADVISORY', 'PACKAGE', 'CATEGORY', 'OWNER', 'REQUESTED BY', 'APPROVER', 'EXPIRES', 'NOTE'], rows));
  return 0;
}
