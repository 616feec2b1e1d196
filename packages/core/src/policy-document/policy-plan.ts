import canonicalize from 'canonicalize';
import type { PolicyDocument } from './policy-document.js';

export type PolicyKind = 'group' | 'baseline' | 'approval-policy' | 'role' | 'window' | 'freeze' | 'sla';

/** One step of applying a document: what changes, and which top-level fields differ. */
export interface PolicyChange {
  readonly kind: PolicyKind;
  readonly name: string;
  readonly action: 'create' | 'update' | 'delete';
  readonly fields: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
}

const same = (a: unknown, b: unknown) => canonicalize(JSON.parse(JSON.stringify(a ?? null))) === canonicalize(JSON.parse(JSON.stringify(b ?? null)));

function changedFields(a: object, b: object): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => !same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function diff<T extends object>(kind: PolicyKind, current: readonly T[], desired: readonly T[] | undefined, key: (t: T) => string): { upserts: PolicyChange[]; deletes: PolicyChange[] } {
  if (!desired) return { upserts: [], deletes: [] };
  const now = new Map(current.map((t) => [key(t), t]));
  const want = new Map(desired.map((t) => [key(t), t]));
  const upserts: PolicyChange[] = [];
  for (const [name, after] of want) {
    const before = now.get(name);
    if (!before) upserts.push({ kind, name, action: 'create', fields: [], before: null, after });
    else if (!same(before, after)) upserts.push({ kind, name, action: 'update', fields: changedFields(before, after), before, after });
  }
  const deletes = [...now].filter(([name]) => !want.has(name)).map(([name, before]) => ({ kind, name, action: 'delete' as const, fields: [], before, after: null }));
  return { upserts, deletes };
}

/**
 * What applying `desired` over `current` does, in an order that keeps references whole: groups
 * and roles exist before the baselines, policies, windows and freezes that name them, and go
 * only after them.
 * Sections `desired` leaves out are not touched. The SLA has no delete: it is one setting.
 */
export function planPolicy(current: Required<PolicyDocument>, desired: PolicyDocument): PolicyChange[] {
  const groups = diff('group', current.groups, desired.groups, (g) => g.name);
  const roles = diff('role', current.roles, desired.roles, (r) => r.name);
  const approvals = diff('approval-policy', current.approvalPolicies, desired.approvalPolicies, (p) => p.environment);
  const baselines = diff('baseline', current.baselines, desired.baselines, (b) => b.name);
  const windows = diff('window', current.windows, desired.windows, (w) => w.name);
  const freezes = diff('freeze', current.freezes, desired.freezes, (f) => f.name);
  const sla: PolicyChange[] =
    desired.sla && !same(current.sla, desired.sla) ? [{ kind: 'sla', name: 'sla', action: 'update', fields: changedFields(current.sla, desired.sla), before: current.sla, after: desired.sla }] : [];
  return [
    ...groups.upserts,
    ...roles.upserts,
    ...approvals.upserts,
    ...baselines.upserts,
    ...windows.upserts,
    ...freezes.upserts,
    ...sla,
    ...freezes.deletes,
    ...windows.deletes,
    ...baselines.deletes,
    ...approvals.deletes,
    ...roles.deletes,
    ...groups.deletes,
  ];
}

/** One line per change, as `policy apply` prints it: `+ group web`, `~ baseline prod (rules, holds)`, `- role cab`. */
export function describeChange(c: PolicyChange): string {
  const sign = { create: '+', update: '~', delete: '-' }[c.action];
  return `${sign} ${c.kind} ${c.name}${c.fields.length ? ` (${c.fields.join(', ')})` : ''}`;
}
