import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@patchwise/core';
import type { Database } from '../src/database.js';
import type { RouteEntry } from '../src/route-auth.js';
import { almaAdvisory, almaFacts, almaInventory } from './support/fixtures.js';
import { openTestDatabase } from './support/test-database.js';
import { TestAgent, admin, openTestApp, personHeaders, type TestApp, type TestBinding } from './support/test-app.js';

/**
 * The access policy as documented (docs/access.md), written out here independently of the code
 * that enforces it, so that a permission slipping into a role shows up as an unexpected allow.
 */
const VIEWER = ['hosts.read', 'findings.read', 'reports.read', 'exceptions.read', 'changes.read', 'groups.read', 'baselines.read', 'maintenance.read', 'policy.read', 'patchsets.read', 'deployments.read', 'feeds.read', 'tokens.own'];
const ROLE_PERMISSIONS: Record<string, readonly string[] | 'all'> = {
  viewer: VIEWER,
  operator: [...VIEWER, 'hosts.write', 'exceptions.request', 'changes.request', 'patchsets.write', 'deployments.write', 'scripts.write', 'groups.write', 'feeds.write', 'cmdb.read', 'cmdb.write', 'enroll.manage', 'agentless.write'],
  approver: [...VIEWER, 'exceptions.approve', 'changes.approve', 'scripts.approve'],
  admin: 'all',
  auditor: ['audit.read', 'hosts.read'], // a custom role made in the test
  nobody: [], // a user with no role at all
};
/** Permissions a scoped binding can grant: those about hosts. Everything else needs a fleet-wide binding. */
const HOST_PERMISSIONS = new Set(['hosts.read', 'hosts.write', 'findings.read', 'reports.read', 'exceptions.read', 'exceptions.request', 'exceptions.approve', 'changes.read', 'changes.request', 'changes.approve', 'deployments.read', 'deployments.write']);

type ScopeKind = 'fleet' | 'group' | 'environment';
const SCOPES: Record<ScopeKind, Omit<TestBinding, 'role'>> = { fleet: {}, group: { groups: ['team-a'] }, environment: { environments: ['prod'] } };

function expectedAllowed(role: string, scope: ScopeKind, permission: string, tokenPermissions?: readonly string[]): boolean {
  if (permission === 'self') return true;
  if (tokenPermissions && !tokenPermissions.includes(permission)) return false;
  const held = ROLE_PERMISSIONS[role]!;
  if (held !== 'all' && !held.includes(permission)) return false;
  return scope === 'fleet' || HOST_PERMISSIONS.has(permission);
}

const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');
const someId = '00000000-0000-4000-8000-000000000000';
const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, (p) => (p === ':decision' ? 'approve' : someId));

describe('RBAC: every person route × role × scope', () => {
  let db: DatabaseHandle<Database>;
  let t: TestApp;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    t = await openTestApp(db);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/roles', headers: admin(t), payload: { name: 'auditor', permissions: ['audit.read', 'hosts.read'] } });
    expect(res.statusCode, res.body).toBe(201);
  });
  afterEach(async () => {
    await t.close();
  });

  const personRoutes = (): RouteEntry[] => t.app.routeTable.filter((r) => r.auth === 'person' && r.method !== 'HEAD');

  it('allows exactly what the documented matrix allows, before any handler runs', async () => {
    const routes = personRoutes();
    expect(routes.length).toBeGreaterThan(30);
    const callers: { label: string; role: string; scope: ScopeKind; tokenPermissions?: string[] }[] = [];
    for (const role of Object.keys(ROLE_PERMISSIONS)) for (const scope of Object.keys(SCOPES) as ScopeKind[]) if (role !== 'nobody' || scope === 'fleet') callers.push({ label: `${role}@${scope}`, role, scope });
    // A token narrowed to one permission holds only that, whatever its user may do.
    callers.push({ label: 'admin token narrowed to findings.read', role: 'admin', scope: 'fleet', tokenPermissions: ['findings.read'] });

    const unexpected: string[] = [];
    let checked = 0;
    for (const caller of callers) {
      const bindings = caller.role === 'nobody' ? [] : [{ role: caller.role, ...SCOPES[caller.scope] }];
      const headers = await personHeaders(t, caller.label.replace(/[^A-Za-z0-9.-]/g, '-'), bindings, caller.tokenPermissions ? { permissions: caller.tokenPermissions } : {});
      for (const r of routes) {
        const res = await t.app.inject({ method: r.method as 'GET', url: concrete(r.url), headers: { ...headers, 'content-type': 'application/json' }, payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}' });
        const allowed = res.statusCode !== 403;
        expect(res.statusCode, `${caller.label} ${r.method} ${r.url}: a valid token is never unauthenticated`).not.toBe(401);
        const expected = expectedAllowed(caller.role, caller.scope, r.permission!, caller.tokenPermissions);
        if (allowed !== expected) unexpected.push(`${caller.label} ${r.method} ${r.url} (${r.permission}): ${allowed ? 'allowed' : 'refused'}, expected ${expected ? 'allowed' : 'refused'} (${res.statusCode} ${res.body.slice(0, 120)})`);
        checked++;
      }
    }
    expect(checked).toBe(callers.length * routes.length);
    expect(unexpected).toEqual([]);
  });

  it('keeps a scoped caller to the hosts of its groups and environments on every host route', async () => {
    // Three hosts: A (tag team-a, environment dev), B (environment prod), C (environment test).
    const importRes = await t.app.inject({
      method: 'POST',
      url: '/api/v1/feeds/import?filename=alma.json',
      headers: { ...admin(t), 'content-type': 'application/octet-stream' },
      payload: Buffer.from(JSON.stringify([almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-18.el9_2')])),
    });
    expect(importRes.statusCode, importRes.body).toBe(200);
    const hosts: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
    const attributes = { A: { environment: 'dev', tags: ['team-a'] }, B: { environment: 'prod' }, C: { environment: 'test' } };
    for (const key of ['A', 'B', 'C'] as const) {
      const secret = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: { attributes: attributes[key] } })).json<{ token: string }>().token;
      const agent = new TestAgent(t);
      const machine = `machine-${key}`;
      expect((await agent.enroll(secret, almaFacts(machine, `host-${key}`))).statusCode).toBe(201);
      const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }], machine);
      expect((await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory })).statusCode).toBe(200);
      hosts[key] = agent.hostId;
    }
    // An agentless twin of each host, with its attributes, on a loopback port nothing listens on:
    // a scan in scope gets as far as connecting (502), one out of scope is refused first (404).
    const agentless: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
    for (const [i, key] of (['A', 'B', 'C'] as const).entries()) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/agentless/hosts',
        headers: admin(t),
        payload: { name: `agentless-${key}`, address: '127.0.0.1', port: i + 1, user: 'root', hostKeySha256: `SHA256:${'A'.repeat(43)}`, attributes: attributes[key] },
      });
      expect(res.statusCode, res.body).toBe(201);
      agentless[key] = res.json<{ id: string }>().id;
    }
    const nameOf = new Map([...Object.entries(hosts), ...Object.entries(agentless)].map(([k, id]) => [id, k]));
    const names = (ids: readonly string[]) => [...new Set(ids.map((id) => nameOf.get(id) ?? id))].sort();
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/groups/team-a', headers: admin(t), payload: { selector: { tags: ['team-a'] } } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/groups/everything', headers: admin(t), payload: { selector: { environment: ['dev', 'prod', 'test'] } } })).statusCode).toBe(200);
    const expiresAt = new Date(t.clock.read().getTime() + 30 * 86_400_000).toISOString();

    /**
     * How to ask each host route which hosts it reaches, as the caller. Every route about hosts
     * must have a probe here: a new one fails the test until its scoping is proven.
     */
    type Probe = (headers: Record<string, string>) => Promise<string[]>;
    const get = async (url: string, headers: Record<string, string>) => {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      return res.json<Record<string, unknown>>();
    };
    const each = async (fn: (key: 'A' | 'B' | 'C') => Promise<boolean>) => {
      const out: string[] = [];
      for (const key of ['A', 'B', 'C'] as const) if (await fn(key)) out.push(hosts[key]);
      return out;
    };
    const exceptionFor = async (key: 'A' | 'B' | 'C') => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/exceptions', headers: admin(t), payload: { host: hosts[key], package: 'openssl', category: 'risk-accepted', reason: 'r', owner: 'o', expiresAt } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    // Change requests are scoped by environment or group: A's change names group team-a.
    const changeTarget = { A: { environment: 'dev', group: 'team-a' }, B: { environment: 'prod' }, C: { environment: 'test' } };
    const keyOfChange = (c: { environment: string }) => hosts[({ dev: 'A', prod: 'B', test: 'C' } as const)[c.environment as 'dev']];
    const made = await t.app.inject({ method: 'POST', url: '/api/v1/patch-sets', headers: admin(t), payload: { name: 'probe', fromFindings: {} } });
    expect(made.statusCode, made.body).toBe(201);
    const changeBody = (k: 'A' | 'B' | 'C') => ({ kind: 'deployment', patchSet: made.json<{ number: number }>().number, title: 'probe', reason: 'probe', ...changeTarget[k] });
    const changeFor = async (k: 'A' | 'B' | 'C') => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/changes', headers: admin(t), payload: changeBody(k) });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    // A deployment reaches the hosts of its environment: A's is dev, B's prod, C's test.
    const deploymentBody = (k: 'A' | 'B' | 'C') => ({ name: `probe-${k}`, patchSet: made.json<{ number: number }>().number, environment: changeTarget[k].environment });
    const deploymentFor = async (k: 'A' | 'B' | 'C') => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/deployments', headers: admin(t), payload: deploymentBody(k) });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: number }>().id;
    };
    const keyOfDeployment = (d: { environment: string }) => hosts[({ dev: 'A', prod: 'B', test: 'C' } as const)[d.environment as 'dev']];
    /** In scope the route answers (200, or 409 for a command the deployment's state refuses); out of scope it does not exist (404). */
    const deploymentRoute = (method: 'GET' | 'POST', path: (id: number) => string) => (h: Record<string, string>) =>
      each(async (k) => {
        const res = await t.app.inject({ method, url: path(await deploymentFor(k)), headers: h, ...(method === 'POST' ? { payload: {} } : {}) });
        expect([200, 404, 409], `${method} ${res.body}`).toContain(res.statusCode);
        return res.statusCode !== 404;
      });
    const probes: Record<string, Probe> = {
      'POST /api/v1/deployments/plan': (h) => each(async (k) => (await t.app.inject({ method: 'POST', url: '/api/v1/deployments/plan', headers: h, payload: deploymentBody(k) })).statusCode === 200),
      'POST /api/v1/deployments': (h) => each(async (k) => (await t.app.inject({ method: 'POST', url: '/api/v1/deployments', headers: h, payload: deploymentBody(k) })).statusCode === 201),
      'GET /api/v1/deployments': async (h) => {
        for (const k of ['A', 'B', 'C'] as const) await deploymentFor(k);
        return ((await get('/api/v1/deployments', h)).deployments as { environment: string }[]).map(keyOfDeployment);
      },
      'GET /api/v1/deployments/:id': deploymentRoute('GET', (id) => `/api/v1/deployments/${id}`),
      'GET /api/v1/deployments/:id/jobs': deploymentRoute('GET', (id) => `/api/v1/deployments/${id}/jobs`),
      'GET /api/v1/deployments/:id/jobs/:job/report': (h) =>
        each(async (k) => {
          const id = await deploymentFor(k);
          const [job] = (await get(`/api/v1/deployments/${id}/jobs`, admin(t))).jobs as { id: string }[];
          return (await t.app.inject({ method: 'GET', url: `/api/v1/deployments/${id}/jobs/${job!.id}/report`, headers: h })).statusCode === 200;
        }),
      'POST /api/v1/deployments/:id/start': deploymentRoute('POST', (id) => `/api/v1/deployments/${id}/start`),
      ...Object.fromEntries(['pause', 'resume', 'halt', 'cancel', 'rollback'].map((c) => [`POST /api/v1/deployments/:id/${c}`, deploymentRoute('POST', (id) => `/api/v1/deployments/${id}/${c}`)])),
      'POST /api/v1/changes': (h) => each(async (k) => (await t.app.inject({ method: 'POST', url: '/api/v1/changes', headers: h, payload: changeBody(k) })).statusCode === 201),
      'GET /api/v1/changes': async (h) => {
        for (const k of ['A', 'B', 'C'] as const) await changeFor(k);
        return ((await get('/api/v1/changes', h)).changes as { environment: string }[]).map(keyOfChange);
      },
      'GET /api/v1/changes/:id': (h) => each(async (k) => (await t.app.inject({ method: 'GET', url: `/api/v1/changes/${await changeFor(k)}`, headers: h })).statusCode === 200),
      'POST /api/v1/changes/:id/:decision': (h) => each(async (k) => (await t.app.inject({ method: 'POST', url: `/api/v1/changes/${await changeFor(k)}/approve`, headers: h, payload: {} })).statusCode === 200),
      // Not the requester, so in scope the answer is 403; out of scope the change does not exist (404).
      'POST /api/v1/changes/:id/cancel': (h) => each(async (k) => (await t.app.inject({ method: 'POST', url: `/api/v1/changes/${await changeFor(k)}/cancel`, headers: h })).statusCode !== 404),
      'GET /api/v1/changes/:id/signatures': (h) => each(async (k) => (await t.app.inject({ method: 'GET', url: `/api/v1/changes/${await changeFor(k)}/signatures`, headers: h })).statusCode === 200),
      // In scope the dummy signature is refused as invalid (400); out of scope the change does not exist (404).
      'POST /api/v1/changes/:id/signatures': (h) =>
        each(async (k) => (await t.app.inject({ method: 'POST', url: `/api/v1/changes/${await changeFor(k)}/signatures`, headers: h, payload: { keyId: '0'.repeat(64), signature: `${'A'.repeat(86)}==`, statement: {} } })).statusCode !== 404),
      'GET /api/v1/agentless/hosts': async (h) => ((await get('/api/v1/agentless/hosts', h)).hosts as { id: string }[]).map((x) => x.id),
      'POST /api/v1/agentless/hosts/:id/scan': (h) => each(async (k) => (await t.app.inject({ method: 'POST', url: `/api/v1/agentless/hosts/${agentless[k]}/scan`, headers: h })).statusCode !== 404),
      'GET /api/v1/hosts': async (h) => ((await get('/api/v1/hosts', h)).hosts as { id: string }[]).map((x) => x.id),
      'GET /api/v1/hosts/:id': (h) => each(async (k) => (await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${hosts[k]}`, headers: h })).statusCode === 200),
      'PATCH /api/v1/hosts/:id': (h) => each(async (k) => (await t.app.inject({ method: 'PATCH', url: `/api/v1/hosts/${hosts[k]}`, headers: h, payload: { attributes: { owner: 'probe' } } })).statusCode === 200),
      // Retiring is final, so each probe retires a host made for it with A's, B's or C's
      // attributes; one left out of the caller's scope is retired by the admin afterwards, so
      // that no probe host shows up in the other probes' lists.
      'POST /api/v1/hosts/:id/retire': (h) =>
        each(async (k) => {
          const secret = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: { attributes: attributes[k] } })).json<{ token: string }>().token;
          const probe = new TestAgent(t);
          expect((await probe.enroll(secret, almaFacts(`probe-${probe.keys.publicKey}`, `probe-${k}`))).statusCode).toBe(201);
          const res = await t.app.inject({ method: 'POST', url: `/api/v1/hosts/${probe.hostId}/retire`, headers: h, payload: {} });
          expect([200, 404], res.body).toContain(res.statusCode);
          if (res.statusCode === 404) expect((await t.app.inject({ method: 'POST', url: `/api/v1/hosts/${probe.hostId}/retire`, headers: admin(t), payload: {} })).statusCode).toBe(200);
          return res.statusCode === 200;
        }),
      'GET /api/v1/findings': async (h) => ((await get('/api/v1/findings', h)).findings as { hostId: string }[]).map((f) => f.hostId),
      'GET /api/v1/findings/:id': async (h) => {
        const all = (await get('/api/v1/findings', admin(t))).findings as { id: string; hostId: string }[];
        const seen: string[] = [];
        for (const f of all) if ((await t.app.inject({ method: 'GET', url: `/api/v1/findings/${f.id}`, headers: h })).statusCode === 200) seen.push(f.hostId);
        return seen;
      },
      'GET /api/v1/reports/compliance': async (h) => ((await get('/api/v1/reports/compliance', h)).hosts as { id: string }[]).map((x) => x.id),
      'GET /api/v1/groups/:name/hosts': async (h) => ((await get('/api/v1/groups/everything/hosts', h)).hosts as { id: string }[]).map((x) => x.id),
      'GET /api/v1/exceptions': async (h) => {
        for (const k of ['A', 'B', 'C'] as const) await exceptionFor(k);
        return ((await get('/api/v1/exceptions', h)).exceptions as { host: string }[]).map((e) => e.host);
      },
      'POST /api/v1/exceptions': (h) =>
        each(async (k) => (await t.app.inject({ method: 'POST', url: '/api/v1/exceptions', headers: h, payload: { host: hosts[k], package: 'openssl', category: 'risk-accepted', reason: 'r', owner: 'o', expiresAt } })).statusCode === 201),
      'POST /api/v1/exceptions/:id/:decision': (h) => each(async (k) => (await t.app.inject({ method: 'POST', url: `/api/v1/exceptions/${await exceptionFor(k)}/approve`, headers: h, payload: {} })).statusCode === 200),
    };
    const hostRoutes = personRoutes().filter((r) => HOST_PERMISSIONS.has(r.permission!));
    expect(hostRoutes.map((r) => `${r.method} ${r.url}`).sort()).toEqual(Object.keys(probes).sort());

    const callers: { label: string; bindings: TestBinding[]; sees: string[] }[] = [
      { label: 'fleet-admin', bindings: [{ role: 'admin' }], sees: ['A', 'B', 'C'] },
      { label: 'team-a-admin', bindings: [{ role: 'admin', groups: ['team-a'] }], sees: ['A'] },
      { label: 'prod-admin', bindings: [{ role: 'admin', environments: ['prod'] }], sees: ['B'] },
      { label: 'team-a-or-prod-admin', bindings: [{ role: 'admin', groups: ['team-a'], environments: ['prod'] }], sees: ['A', 'B'] },
      { label: 'gone-group-admin', bindings: [{ role: 'admin', groups: ['no-such-group'] }], sees: [] },
    ];
    for (const caller of callers) {
      const headers = await personHeaders(t, caller.label, caller.bindings);
      for (const [route, probe] of Object.entries(probes)) expect(names(await probe(headers)), `${caller.label}: ${route}`).toEqual(caller.sees);
    }
  });
});
