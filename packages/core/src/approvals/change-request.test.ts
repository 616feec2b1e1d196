import { describe, expect, it } from 'vitest';
import { DEFAULT_APPROVAL_POLICY, approvalsNeeded, assertChangeApproved, changeStatus, decideChange, policyFor, type ChangeRequest } from './change-request.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3600_000);

function change(over: Partial<ChangeRequest> = {}): ChangeRequest {
  return {
    id: 'c1',
    kind: 'deployment',
    lane: 'scheduled',
    environment: 'prod',
    group: null,
    subject: { kind: 'patch-set', id: 'ps-7' },
    title: 't',
    reason: 'r',
    requestedBy: { id: 'alice', name: 'alice' },
    createdAt: T0,
    state: 'requested',
    approvalsNeeded: 2,
    approverRoles: ['approver', 'admin'],
    validForHours: 24,
    decisions: [],
    approvedAt: null,
    ...over,
  };
}
const bob = { id: 'bob', name: 'bob', roles: ['approver'] };
const carol = { id: 'carol', name: 'carol', roles: ['admin'] };

describe('change requests', () => {
  it('needs the policy’s number of distinct approvers other than the requester, then reads approved until its validity ends', () => {
    let c = change();
    expect(() => decideChange(c, 'approve', { id: 'alice', name: 'alice', roles: ['admin'] }, null, T0)).toThrow(/requester of a change cannot approve/);
    c = decideChange(c, 'approve', bob, 'looks fine', hours(1));
    expect(c.state).toBe('requested');
    expect(() => decideChange(c, 'approve', bob, null, hours(1))).toThrow(/bob has decided on change c1 already/);
    c = decideChange(c, 'approve', carol, null, hours(2));
    expect(c).toMatchObject({ state: 'approved', approvedAt: hours(2) });
    expect(changeStatus(c, hours(25.99))).toBe('approved');
    expect(changeStatus(c, hours(26))).toBe('expired');
    expect(() => decideChange(c, 'reject', { id: 'dave', name: 'dave', roles: ['approver'] }, null, hours(3))).toThrow(/is approved; only a requested change/);
  });

  it('refuses deciders without one of the approver roles over the change, and lets one rejection end it', () => {
    expect(() => decideChange(change(), 'approve', { id: 'op', name: 'op', roles: ['operator'] }, null, T0)).toThrow(/needs one of the roles approver, admin/);
    const rejected = decideChange(change(), 'reject', bob, 'not in this window', T0);
    expect(rejected).toMatchObject({ state: 'rejected', decisions: [{ by: { id: 'bob' }, decision: 'reject', comment: 'not in this window' }] });
  });

  it('takes an environment’s own policy, else the * policy, else the default; emergencies need two approvers at least', () => {
    const prod = { environment: 'prod', approvals: 3, approverRoles: ['cab'], validForHours: 8 };
    const star = { environment: '*', approvals: 1, approverRoles: ['approver'], validForHours: 72 };
    expect(policyFor([star, prod], 'prod')).toBe(prod);
    expect(policyFor([star, prod], 'dev')).toBe(star);
    expect(policyFor([prod], 'dev')).toBe(DEFAULT_APPROVAL_POLICY);
    expect(approvalsNeeded(star, 'scheduled')).toBe(1);
    expect(approvalsNeeded(star, 'emergency')).toBe(2);
    expect(approvalsNeeded(prod, 'emergency')).toBe(3);
  });

  it('gates a run on an approved, unexpired change of exactly that kind, subject and environment', () => {
    const approved = change({ state: 'approved', approvedAt: T0, decisions: [] });
    const expected = { kind: 'deployment' as const, environment: 'prod', subjectId: 'ps-7' };
    expect(() => assertChangeApproved(approved, expected, hours(1))).not.toThrow();
    expect(() => assertChangeApproved(approved, { ...expected, environment: 'staging' }, hours(1))).toThrow(expect.objectContaining({ code: 'PW_APPROVAL_REQUIRED' }));
    expect(() => assertChangeApproved(approved, { ...expected, subjectId: 'ps-8' }, hours(1))).toThrow(/not a deployment of ps-8 to prod/);
    expect(() => assertChangeApproved(approved, { ...expected, kind: 'promotion' }, hours(1))).toThrow(/approves a deployment/);
    expect(() => assertChangeApproved(approved, expected, hours(24))).toThrow(/is expired/);
    expect(() => assertChangeApproved(change({ decisions: [{ by: { id: 'bob', name: 'bob' }, decision: 'approve', comment: null, at: T0 }] }), expected, T0)).toThrow(/is requested \(1 of 2 approvals\)/);
    expect(() => assertChangeApproved(change({ state: 'cancelled' }), expected, T0)).toThrow(/is cancelled/);
  });
});
