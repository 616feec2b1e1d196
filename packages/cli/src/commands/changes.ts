import { resolve } from 'node:path';
import { PatchwiseError, approvedTargetsDigest, countNoun, signApprovalStatement, type ApprovedTarget } from '@patchwise/core';
import { parseDuration } from '@patchwise/server';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';
import { defaultSigningKeyPath, readSigningKey } from './keys.js';

type Io = { stdout: NodeJS.WritableStream };

interface ChangeView {
  id: string;
  kind: string;
  lane: string;
  environment: string;
  group: string | null;
  subject: { kind: string; id: string };
  title: string;
  reason: string;
  requestedBy: { id: string; name: string | null };
  createdAt: string;
  status: string;
  approvalsNeeded: number;
  approvals: number;
  approverRoles: string[];
  validUntil: string | null;
  decisions: { by: { name: string | null }; decision: string; comment: string | null; at: string }[];
}

export interface ChangeRequestOptions {
  readonly kind: string;
  readonly environment: string;
  readonly patchSet: string;
  readonly title: string;
  readonly reason: string;
  readonly group?: string;
  readonly emergency?: boolean;
}

function patchSetNumber(text: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text)) throw new PatchwiseError('PW_USAGE', `--patch-set: "${text}" is not a patch set number (see patchwise patch-sets list)`);
  return Number(text);
}

const summary = (c: ChangeView) => `change ${c.id}: ${c.status} (${c.approvals} of ${countNoun(c.approvalsNeeded, 'approval')}${c.validUntil && c.status === 'approved' ? `, valid until ${c.validUntil}` : ''})`;

export async function changesRequest(api: ApiClient, o: ChangeRequestOptions, io: Io): Promise<number> {
  const c = await api.post<ChangeView>('/api/v1/changes', {
    kind: o.kind,
    environment: o.environment,
    patchSet: patchSetNumber(o.patchSet),
    title: o.title,
    reason: o.reason,
    ...(o.group ? { group: o.group } : {}),
    ...(o.emergency ? { lane: 'emergency' } : {}),
  });
  io.stdout.write(`${summary(c)}; approvers need one of the roles ${c.approverRoles.join(', ')}\n`);
  return 0;
}

export async function changesList(api: ApiClient, opts: { state?: string; json?: boolean }, io: Io): Promise<number> {
  const { changes } = await api.get<{ changes: ChangeView[] }>('/api/v1/changes', { state: opts.state });
  if (opts.json) io.stdout.write(`${JSON.stringify(changes, null, 2)}\n`);
  else
    io.stdout.write(
      textTable(
        ['ID', 'STATUS', 'APPROVALS', 'KIND', 'LANE', 'ENVIRONMENT', 'PATCH SET', 'REQUESTED BY', 'TITLE'],
        changes.map((c) => [c.id, c.status, `${c.approvals}/${c.approvalsNeeded}`, c.kind, c.lane, c.group ? `${c.environment} (${c.group})` : c.environment, c.subject.id, c.requestedBy.name ?? c.requestedBy.id, c.title]),
      ),
    );
  return 0;
}

export async function changesShow(api: ApiClient, id: string, opts: { json?: boolean }, io: Io): Promise<number> {
  const c = await api.get<ChangeView>(`/api/v1/changes/${encodeURIComponent(id)}`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${summary(c)}\n${c.kind} of patch set ${c.subject.id} to ${c.environment}${c.group ? ` (group ${c.group})` : ''}, ${c.lane} lane\n${c.title}: ${c.reason}\n`);
  io.stdout.write(`requested by ${c.requestedBy.name ?? c.requestedBy.id} at ${c.createdAt}\n`);
  for (const d of c.decisions) io.stdout.write(`  ${d.decision}d by ${d.by.name ?? '?'} at ${d.at}${d.comment ? `: ${d.comment}` : ''}\n`);
  return 0;
}

export async function changesDecide(api: ApiClient, id: string, decision: 'approve' | 'reject' | 'cancel', opts: { comment?: string }, io: Io): Promise<number> {
  const c = await api.post<ChangeView>(`/api/v1/changes/${encodeURIComponent(id)}/${decision}`, decision === 'cancel' ? undefined : { ...(opts.comment ? { comment: opts.comment } : {}) });
  io.stdout.write(`${summary(c)}\n`);
  return 0;
}

/**
 * `patchwise changes sign ID`: signs, with your own key (never sent anywhere), a statement of
 * this change: its id, its patch set's number and the digest of that patch set's targets
 * (computed here from the targets, which are printed), its environment and an expiry; then
 * uploads the signature. Approve the change first: the signature confirms your approval, and
 * agents that pinned your key count it towards the approvals they require.
 */
export async function changesSign(api: ApiClient, id: string, opts: { key?: string; validFor?: string }, io: Io): Promise<number> {
  const key = readSigningKey(resolve(opts.key ?? defaultSigningKeyPath()));
  const c = await api.get<ChangeView>(`/api/v1/changes/${encodeURIComponent(id)}`);
  const patchSet = await api.get<{ number: number; targets: ApprovedTarget[] }>(`/api/v1/patch-sets/${encodeURIComponent(c.subject.id)}`);
  const validForMs = parseDuration(opts.validFor ?? '72h', '--valid-for');
  const statement = {
    kind: 'patchwise-change-approval-v1' as const,
    changeId: c.id,
    patchSetNumber: patchSet.number,
    targetsDigest: approvedTargetsDigest(patchSet.targets),
    environment: c.environment,
    expiresAt: new Date(Date.now() + validForMs).toISOString(),
  };
  io.stdout.write(`signing change ${c.id}: ${c.kind} of patch set ${patchSet.number} to ${c.environment}, ${countNoun(patchSet.targets.length, 'target')}:\n`);
  for (const t of patchSet.targets) io.stdout.write(`  ${t.ecosystem} ${t.package} ${t.version}\n`);
  await api.post(`/api/v1/changes/${encodeURIComponent(c.id)}/signatures`, signApprovalStatement(statement, key.privateKey));
  io.stdout.write(`signed with key ${key.keyId}, valid until ${statement.expiresAt}\n`);
  return 0;
}

interface PolicyView {
  environment: string;
  approvals: number;
  approverRoles: string[];
  validForHours: number;
}

export async function approvalPoliciesSet(api: ApiClient, environment: string, opts: { approvals: string; role: string[]; validFor?: string }, io: Io): Promise<number> {
  const p = await api.put<PolicyView>(`/api/v1/approval-policies/${encodeURIComponent(environment)}`, {
    approvals: Number(opts.approvals),
    ...(opts.role.length ? { approverRoles: opts.role } : {}),
    ...(opts.validFor ? { validForHours: Number(opts.validFor.replace(/h$/, '')) } : {}),
  });
  io.stdout.write(`approval policy ${p.environment}: ${countNoun(p.approvals, 'approver')} holding ${p.approverRoles.join(' or ')}, valid ${p.validForHours} h\n`);
  return 0;
}

export async function approvalPoliciesList(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const body = await api.get<{ policies: PolicyView[]; default: PolicyView }>('/api/v1/approval-policies');
  if (opts.json) io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  else {
    const rows = [...body.policies, ...(body.policies.some((p) => p.environment === '*') ? [] : [{ ...body.default, environment: '* (built-in default)' }])];
    io.stdout.write(textTable(['ENVIRONMENT', 'APPROVALS', 'APPROVER ROLES', 'VALID FOR'], rows.map((p) => [p.environment, String(p.approvals), p.approverRoles.join(' '), `${p.validForHours} h`])));
  }
  return 0;
}

export async function approvalPoliciesDelete(api: ApiClient, environment: string, io: Io): Promise<number> {
  await api.delete(`/api/v1/approval-policies/${encodeURIComponent(environment)}`);
  io.stdout.write(`approval policy ${environment} removed\n`);
  return 0;
}
