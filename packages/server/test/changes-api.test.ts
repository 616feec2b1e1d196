import { describe, expect, it } from 'vitest';
import { postgresAvailable } from './support/test-database.js';
import { admin, eachTestApp, personHeaders, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;

describe.each(kinds)('change requests and approval policies on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  type Change = { id: string; status: string; approvals: number; approvalsNeeded: number; validUntil: string | null; decisions: { by: { name: string } }[] };
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string>, payload?: Record<string, unknown>) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const request = async (headers: Record<string, string>, over: Record<string, unknown> = {}) => {
    const res = await call('POST', '/api/v1/changes', headers, { kind: 'deployment', environment: 'prod', patchSet: 'ps-42', title: 'October fixes', reason: 'monthly patching', ...over });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Change>();
  };

  it("needs two different approvers in prod, never the requester (not even through the requester's second token)", async () => {
    expect((await call('PUT', '/api/v1/approval-policies/prod', admin(t), { approvals: 2, approverRoles: ['approver'], validForHours: 24 })).statusCode).toBe(200);
    const alice = await personHeaders(t, 'alice', [{ role: 'operator' }, { role: 'approver' }]);
    const aliceAgain = await personHeaders(t, 'alice', []);
    const bob = await personHeaders(t, 'bob', [{ role: 'approver' }]);
    const carol = await personHeaders(t, 'carol', [{ role: 'approver', environments: ['prod'] }]);
    const dave = await personHeaders(t, 'dave', [{ role: 'approver', environments: ['staging'] }]);

    const c = await request(alice);
    expect(c).toMatchObject({ status: 'requested', approvals: 0, approvalsNeeded: 2 });
    for (const h of [alice, aliceAgain]) {
      const own = await call('POST', `/api/v1/changes/${c.id}/approve`, h, {});
      expect(own.statusCode).toBe(403);
      expect(own.json().error.message).toMatch(/requester of a change cannot approve/);
    }
    expect((await call('POST', `/api/v1/changes/${c.id}/approve`, dave, {})).statusCode).toBe(404); // prod is outside dave's scope
    const first = await call('POST', `/api/v1/changes/${c.id}/approve`, bob, { comment: 'tested in staging' });
    expect(first.json()).toMatchObject({ status: 'requested', approvals: 1 });
    expect((await call('POST', `/api/v1/changes/${c.id}/approve`, bob, {})).statusCode).toBe(409); // bob counts once
    const second = await call('POST', `/api/v1/changes/${c.id}/approve`, carol, {});
    expect(second.json()).toMatchObject({ status: 'approved', approvals: 2, decisions: [{ by: { name: 'bob' } }, { by: { name: 'carol' } }] });
    expect(second.json<Change>().validUntil).toBe(new Date(t.clock.read().getTime() + 24 * 3600_000).toISOString());

    t.clock.advance(24 * 3600_000); // the approval ran out before anything used it
    expect((await call('GET', `/api/v1/changes/${c.id}`, bob)).json()).toMatchObject({ status: 'expired' });
    expect((await call('GET', '/api/v1/changes?state=expired', bob)).json<{ changes: Change[] }>().changes.map((x) => x.id)).toEqual([c.id]);
    const events = (await call('GET', '/api/v1/audit/events', admin(t))).json<{ events: { action: string; actor: { name: string } }[] }>().events;
    expect(events.filter((e) => e.action.startsWith('change.')).map((e) => [e.action, e.actor.name])).toEqual([
      ['change.request', 'alice'],
      ['change.approve', 'bob'],
      ['change.approve', 'carol'],
    ]);
  });

  it('freezes the policy into the change, needs two approvers for an emergency, and takes only the policy’s roles', async () => {
    const op = await personHeaders(t, 'op', [{ role: 'operator' }]);
    const bob = await personHeaders(t, 'bob', [{ role: 'approver' }]);
    const emergency = await request(op, { lane: 'emergency', environment: 'dev' });
    expect(emergency.approvalsNeeded).toBe(2); // the default policy asks one; an emergency two
    expect((await call('POST', `/api/v1/changes/${emergency.id}/approve`, bob, {})).json()).toMatchObject({ status: 'requested', approvals: 1 });

    expect((await call('PUT', '/api/v1/approval-policies/*', admin(t), { approvals: 1, approverRoles: ['cab'] })).json().error.message).toMatch(/no role cab/);
    expect((await call('POST', '/api/v1/roles', admin(t), { name: 'cab', permissions: ['changes.read', 'changes.approve'] })).statusCode).toBe(201);
    expect((await call('PUT', '/api/v1/approval-policies/*', admin(t), { approvals: 1, approverRoles: ['cab'] })).statusCode).toBe(200);
    const scheduled = await request(op, { environment: 'dev' });
    const refused = await call('POST', `/api/v1/changes/${scheduled.id}/approve`, bob, {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/needs one of the roles cab/);
    const cab = await personHeaders(t, 'erin', [{ role: 'cab' }]);
    expect((await call('POST', `/api/v1/changes/${scheduled.id}/approve`, cab, {})).json()).toMatchObject({ status: 'approved' });
    // The emergency change keeps the policy of its request: bob still counts for it.
    expect((await call('POST', `/api/v1/changes/${emergency.id}/approve`, await personHeaders(t, 'frank', [{ role: 'approver' }]), {})).json()).toMatchObject({ status: 'approved', approvals: 2 });
  });

  it('lets one approver reject with a comment, and only the requester withdraw', async () => {
    const op = await personHeaders(t, 'op', [{ role: 'operator' }]);
    const bob = await personHeaders(t, 'bob', [{ role: 'approver' }]);
    const rejected = await request(op);
    expect((await call('POST', `/api/v1/changes/${rejected.id}/reject`, bob, { comment: 'clashes with the freeze' })).json()).toMatchObject({ status: 'rejected' });
    expect((await call('POST', `/api/v1/changes/${rejected.id}/approve`, await personHeaders(t, 'carol', [{ role: 'approver' }]), {})).statusCode).toBe(409);
    const withdrawn = await request(op);
    expect((await call('POST', `/api/v1/changes/${withdrawn.id}/cancel`, bob)).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/changes/${withdrawn.id}/cancel`, op)).json()).toMatchObject({ status: 'cancelled' });
    const viewer = await personHeaders(t, 'vic', [{ role: 'viewer' }]);
    expect((await call('POST', '/api/v1/changes', viewer, { kind: 'deployment', environment: 'prod', patchSet: 'x', title: 't', reason: 'r' })).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/changes?state=rejected', viewer)).json<{ changes: Change[] }>().changes.map((c) => c.id)).toEqual([rejected.id]);
  });
});
