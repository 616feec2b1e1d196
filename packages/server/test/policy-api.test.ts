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

  it('applies the SLA: stored and in force at once (export reads it back), a no-op when re-applied, audited', async () => {
    const sla = (await exported()).sla as { warnFraction: number; days: Record<string, Record<string, number>> };
    const slaChange = { version: 1, sla: { ...sla, warnFraction: 0.5, days: { ...sla.days, P4: { default: 365 } } } };
    expect(lines((await apply(slaChange, true)).json<Plan>())).toEqual(['update sla sla days,warnFraction']);
    expect((await exported()).sla).toMatchObject({ warnFraction: sla.warnFraction }); // a dry run changes nothing
    expect((await apply(slaChange)).statusCode).toBe(200);
    expect((await exported()).sla).toMatchObject({ warnFraction: 0.5, days: { P4: { default: 365 } } });
    expect(lines((await apply(slaChange, true)).json<Plan>())).toEqual([]); // applied: nothing left to change
    const events = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/events?limit=100', headers: admin(t) })).json<{ events: { action: string; target: { kind: string } }[] }>().events;
    expect(events.some((e) => e.target.kind === 'sla')).toBe(true);
  });

  it('refuses documents that would break a reference or delete a role someone holds, and changes nothing then', async () => {
    const broken = await apply({ version: 1, baselines: [{ name: 'b', group: 'nowhere', precedence: 1, rules: [] }] });
    expect(broken.statusCode).toBe(409);
    expect(broken.json().error.message).toMatch(/baseline b names group nowhere/);

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

  it('holds maintenance windows and freezes: exported, planned after their groups, authoritative when present, left alone when absent', async () => {
    const put = (url: string, payload: unknown) => t.app.inject({ method: 'PUT', url, headers: admin(t), payload: payload as Record<string, unknown> });
    expect((await put('/api/v1/groups/web', { selector: { tags: ['web'] } })).statusCode).toBe(200);
    expect((await put('/api/v1/windows/patch-tuesday', { rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', offsetDays: 4, start: '22:00', durationMinutes: 240, groups: ['web'] })).statusCode).toBe(200);
    const doc = await exported();
    expect(doc).toMatchObject({ windows: [{ name: 'patch-tuesday', offsetDays: 4, groups: ['web'] }], freezes: [] });
    expect((await apply(doc)).json<Plan>().changes).toEqual([]);

    const edited = {
      ...doc,
      groups: [...(doc.groups as object[]), { name: 'db', selector: { tags: ['db'] } }],
      windows: [
        { name: 'patch-tuesday', rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', offsetDays: 5, start: '22:00', durationMinutes: 240, groups: ['web'] },
        { name: 'db-nights', rrule: 'FREQ=WEEKLY;BYDAY=SU', start: '01:00', durationMinutes: 180, cutoffMinutes: 60, timeZone: 'Europe/Berlin', groups: ['db'] },
      ],
      freezes: [{ name: 'year-end', start: '2026-12-24', end: '2027-01-01', groups: ['db'], reason: 'year-end' }],
    };
    expect(lines((await apply(edited)).json<Plan>())).toEqual(['create group db', 'update window patch-tuesday offsetDays', 'create window db-nights', 'create freeze year-end']);
    const after = await exported();
    expect(after).toMatchObject({ windows: [{ name: 'db-nights', timeZone: 'Europe/Berlin' }, { name: 'patch-tuesday', offsetDays: 5 }], freezes: [{ name: 'year-end' }] });
    expect((await apply(after)).json<Plan>().changes).toEqual([]);
    const audited = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: admin(t) })).json<{ events: { action: string }[] }>().events.map((e) => e.action);
    expect(audited).toEqual(expect.arrayContaining(['window.update', 'window.create', 'freeze.create']));

    // A document dropping a group a stored window names, without a windows section, is refused whole.
    const orphaning = await apply({ version: 1, groups: [{ name: 'web', selector: { tags: ['web'] } }] });
    expect(orphaning.statusCode).toBe(409);
    expect(orphaning.json().error.message).toMatch(/window db-nights names group db, which the policy would not have/);
    const unknownGroup = await apply({ version: 1, freezes: [{ name: 'f', start: '2026-12-24', end: '2026-12-24', groups: ['nowhere'], reason: 'r' }] });
    expect(unknownGroup.json().error.message).toMatch(/freeze f names group nowhere, which the policy would not have/);
    // With the windows and freezes that name it gone, the group goes after them.
    expect(lines((await apply({ version: 1, groups: [{ name: 'web', selector: { tags: ['web'] } }], windows: (after.windows as { name: string }[]).filter((w) => w.name !== 'db-nights'), freezes: [] })).json<Plan>())).toEqual([
      'delete freeze year-end',
      'delete window db-nights',
      'delete group db',
    ]);
    const bad = await apply({ version: 1, windows: [{ name: 'w', rrule: 'FREQ=HOURLY', start: '01:00', durationMinutes: 60 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/windows\[0\]\.rrule: FREQ must be DAILY/);
  });

  it('lets a viewer export but only an admin apply', async () => {
    const viewer = await personHeaders(t, 'vic', [{ role: 'viewer' }]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/policy', headers: viewer })).statusCode).toBe(200);
    expect((await apply({ version: 1 }, true, viewer)).statusCode).toBe(403);
  });
});
