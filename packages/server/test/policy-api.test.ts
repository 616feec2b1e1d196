import { describe, expect, it } from 'vitest';
import { postgresAvailable } from './support/test-database.js';
import { admin, eachTestApp, personHeaders, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;

describe.each(kinds)('policy as code on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  type Plan = { applied: boolean; changes: { kind: string; name: string; action: string; fields: string[] }[] };
  const exported = async () => (await t.app.inject({ method: 'GET', url: '/api/v1/policy', headers: admin(t) })).json<Record<string, unknown>>();
  const apply = (document: unknown, dryRun = false, headers: Record<string, string> = admin(t)) => t.app.inject({ method: 'POST', url: '/api/v1/policy/apply', headers, payload: { document, dryRun } });
  const lines = (p: Plan) => p.changes.map((c) => `${c.action} ${c.kind} ${c.name}${c.fields.length ? ` ${c.fields.join(',')}` : ''}`);

  it('exports what the API set, applies an edited copy after a dry run, audits each change, and re-applies as a no-op', async () => {
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/groups/web', headers: admin(t), payload: { selector: { tags: ['web'] } } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/approval-policies/prod', headers: admin(t), payload: { approvals: 2 } })).statusCode).toBe(200);
    const doc = await exported();
    expect(doc).toMatchObject({ version: 1, groups: [{ name: 'web' }], approvalPolicies: [{ environment: 'prod', approvals: 2 }], baselines: [], roles: [] });
    expect((await apply(doc)).json<Plan>()).toEqual({ applied: true, changes: [] });

    const edited = {
      ...doc,
      groups: [{ name: 'web', description: 'front ends', selector: { tags: ['web'] } }, { name: 'db', description: '', selector: { tags: ['db'] } }],
      baselines: [{ name: 'db-security', group: 'db', precedence: 1, rules: [{ types: ['security'], afterDays: 7 }] }],
      roles: [{ name: 'cab', description: 'change board', permissions: ['changes.read', 'changes.approve'] }],
      approvalPolicies: [{ environment: 'prod', approvals: 2, approverRoles: ['cab'], validForHours: 24 }],
    };
    const dry = (await apply(edited, true)).json<Plan>();
    expect(dry.applied).toBe(false);
    expect(lines(dry)).toEqual(['update group web description', 'create group db', 'create role cab', 'update approval-policy prod approverRoles,validForHours', 'create baseline db-security']);
    expect((await exported()).roles).toEqual([]); // nothing applied yet
    const done = (await apply(edited)).json<Plan>();
    expect(done).toMatchObject({ applied: true, changes: dry.changes });
    const after = await exported();
    expect(after).toMatchObject({ roles: [{ name: 'cab' }], baselines: [{ name: 'db-security', group: 'db' }], approvalPolicies: [{ approverRoles: ['cab'] }] });
    expect((await apply(after)).json<Plan>().changes).toEqual([]);
    const actions = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: admin(t) })).json<{ events: { action: string; details: { via?: string } }[] }>().events.filter((e) => e.details.via === 'policy apply' || e.action === 'policy.apply').map((e) => e.action);
    expect(actions).toEqual(['group.update', 'group.create', 'role.create', 'approval-policy.update', 'baseline.create', 'policy.apply']);

    // A section present is the whole truth about its kind: what it leaves out goes.
    const trimmed = (await apply({ version: 1, groups: [{ name: 'web', description: 'front ends', selector: { tags: ['web'] } }], baselines: [] })).json<Plan>();
    expect(lines(trimmed)).toEqual(['delete baseline db-security', 'delete group db']);
  });

  it('refuses documents that would break a reference, change the SLA, or delete a role someone holds, and changes nothing then', async () => {
    const broken = await apply({ version: 1, baselines: [{ name: 'b', group: 'nowhere', precedence: 1, rules: [] }] });
    expect(broken.statusCode).toBe(409);
    expect(broken.json().error.message).toMatch(/baseline b names group nowhere/);
    const sla = (await exported()).sla as { warnFraction: number };
    const slaChange = { version: 1, sla: { ...sla, warnFraction: 0.5 } };
    expect(lines((await apply(slaChange, true)).json<Plan>())).toEqual(['update sla sla warnFraction']);
    const refused = await apply(slaChange);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/--sla file/);

    expect((await apply({ version: 1, roles: [{ name: 'cab', permissions: ['changes.read'] }], groups: [{ name: 'g', selector: { tier: [0] } }] })).statusCode).toBe(200);
    await personHeaders(t, 'carol', [{ role: 'cab' }]);
    const held = await apply({ version: 1, roles: [], groups: [] });
    expect(held.statusCode).toBe(409);
    expect(held.json().error.message).toMatch(/role cab is held by carol/);
    expect(await exported()).toMatchObject({ groups: [{ name: 'g' }], roles: [{ name: 'cab' }] }); // the group deletion rolled back too
    const bad = await apply({ version: 1, groups: [{ name: 'x', selector: { tier: ['zero'] } }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/groups\[0\]/);
  });

  it('lets a viewer export but only an admin apply', async () => {
    const viewer = await personHeaders(t, 'vic', [{ role: 'viewer' }]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/policy', headers: viewer })).statusCode).toBe(200);
    expect((await apply({ version: 1 }, true, viewer)).statusCode).toBe(403);
  });
});
