/**
 * Taking hosts out of the fleet, and managing enrollment secrets. A machine whose agent lost its
 * state re-enrolls as a quarantined twin; once released, two hosts of one name exist until the
 * stale one is retired: then lists, findings, compliance, groups and CMDB reconciliation see
 * one, the stale agent is refused for good, and the audit trail says who retired it and why.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { almaAdvisory, almaFacts, almaInventory } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');

interface HostListed {
  id: string;
  name: string;
  status: string;
  retiredAt: string | null;
  retiredReason: string | null;
  openFindings?: Record<string, number>;
}
interface TokenListed {
  id: string;
  uses: number;
  maxUses: number | null;
  attributes: Record<string, unknown>;
  revokedAt: string | null;
  state: string;
}

describe.each(kinds)('retiring hosts and managing enrollment tokens on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  async function call<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, expected = 200): Promise<T> {
    const res = await t.app.inject({ method, url, headers: admin(t), ...(payload === undefined ? {} : { payload: payload as object }) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(expected);
    return (res.body ? res.json() : undefined) as T;
  }

  async function enrolled(machine: string, name: string): Promise<{ agent: TestAgent; status: string }> {
    const { token } = await call<{ token: string }>('POST', '/api/v1/enroll-tokens', {}, 201);
    const agent = new TestAgent(t);
    const res = await agent.enroll(token, almaFacts(machine, name));
    expect(res.statusCode, res.body).toBe(201);
    const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }], machine);
    const status = res.json<{ status: string }>().status;
    if (status === 'active') expect((await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory })).statusCode).toBe(200);
    return { agent, status };
  }

  it('takes a retired host out of lists, findings, compliance, groups and reconciliation, refuses its agent and audits who and why', async () => {
    const feed = Buffer.from(JSON.stringify([almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-18.el9_2')]));
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=alma.json', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: feed });
    expect(imported.statusCode, imported.body).toBe(200);
    // The first agent, then the same machine after its state was lost: a quarantined twin, released.
    const { agent: stale } = await enrolled('machine-a', 'web-01');
    const { agent: fresh, status } = await enrolled('machine-a', 'web-01');
    expect(status).toBe('quarantined');
    await call('PATCH', `/api/v1/hosts/${fresh.hostId}`, { status: 'active' });
    const inventory = almaInventory([{ name: 'openssl', version: '1:3.0.7-16.el9_2' }], 'machine-a');
    expect((await fresh.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory })).statusCode).toBe(200);
    const cmdb = await t.app.inject({ method: 'POST', url: '/api/v1/cmdb/import?filename=cmdb.csv', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from('hostname\nweb-01\n') });
    expect(cmdb.statusCode, cmdb.body).toBe(200);
    await call('PUT', '/api/v1/groups/web', { selector: { os: ['almalinux'] } });

    // Before: two hosts named web-01, the finding twice, reconciliation ambiguous.
    const openFindings = async () => (await call<{ findings: { hostId: string }[] }>('GET', '/api/v1/findings')).findings.map((f) => f.hostId).sort();
    expect(await openFindings()).toEqual([stale.hostId, fresh.hostId].sort());
    const reconcile = () => call<{ matched: { host: { id: string } }[]; unknown: unknown[]; ambiguous: unknown[] }>('GET', '/api/v1/cmdb/reconcile');
    expect((await reconcile()).ambiguous).toHaveLength(1);

    const retired = await call<HostListed>('POST', `/api/v1/hosts/${stale.hostId}/retire`, { reason: 'agent state lost; re-enrolled as its twin' });
    expect(retired).toMatchObject({ id: stale.hostId, status: 'retired', retiredReason: 'agent state lost; re-enrolled as its twin', retiredAt: t.clock.read().toISOString() });

    const listed = await call<{ total: number; hosts: HostListed[] }>('GET', '/api/v1/hosts');
    expect(listed.hosts.map((h) => h.id)).toEqual([fresh.hostId]);
    expect((await call<{ hosts: HostListed[] }>('GET', '/api/v1/hosts?name=web-01')).hosts.map((h) => h.id)).toEqual([fresh.hostId]);
    expect((await call<{ hosts: HostListed[] }>('GET', '/api/v1/hosts?status=retired')).hosts.map((h) => h.id)).toEqual([stale.hostId]);
    // Still there to look at, with its status, and nothing open.
    const shown = await call<HostListed>('GET', `/api/v1/hosts/${stale.hostId}`);
    expect(shown).toMatchObject({ status: 'retired', openFindings: { P1: 0, P2: 0, P3: 0, P4: 0 } });

    expect(await openFindings()).toEqual([fresh.hostId]);
    expect((await call<{ total: number }>('GET', `/api/v1/findings?host=${stale.hostId}`)).total).toBe(0);
    const compliance = await call<{ summary: { hosts: number }; hosts: { id: string }[] }>('GET', '/api/v1/reports/compliance');
    expect(compliance.hosts.map((h) => h.id)).toEqual([fresh.hostId]);
    expect(compliance.summary.hosts).toBe(1);
    const r = await reconcile();
    expect(r.ambiguous).toEqual([]);
    expect(r.unknown).toEqual([]);
    expect(r.matched.map((m) => m.host.id)).toEqual([fresh.hostId]);
    expect((await call<{ hosts: { id: string }[] }>('GET', '/api/v1/groups/web/hosts')).hosts.map((h) => h.id)).toEqual([fresh.hostId]);
    // Patch sets are made from the fleet's open findings only.
    const set = await t.app.inject({ method: 'POST', url: '/api/v1/patch-sets', headers: admin(t), payload: { name: 'after', fromFindings: { host: stale.hostId } } });
    expect(set.statusCode === 201 ? set.json<{ targets: unknown[] }>().targets : [], set.body).toEqual([]);

    // Its agent is refused with a reason it logs (and exits on); the other keeps working.
    const checkin = { facts: almaFacts('machine-a', 'web-01'), inventoryDigest: digestOf(inventory) };
    const refused = await stale.send('POST', '/api/v1/agent/checkin', checkin);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'PW_HOST_RETIRED', message: expect.stringContaining('agent state lost') });
    expect((await stale.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory })).statusCode).toBe(403);
    expect((await fresh.send('POST', '/api/v1/agent/checkin', checkin)).statusCode).toBe(200);

    // Final: neither retired again, released, nor changed.
    await call('POST', `/api/v1/hosts/${stale.hostId}/retire`, {}, 409);
    await call('PATCH', `/api/v1/hosts/${stale.hostId}`, { status: 'active' }, 409);
    await call('PATCH', `/api/v1/hosts/${stale.hostId}`, { attributes: { tier: 1 } }, 409);

    const events = (await call<{ events: { action: string; actor: { name?: string }; target: { id: string }; details?: { reason?: string } }[] }>('GET', '/api/v1/audit/events')).events;
    const retire = events.filter((e) => e.action === 'host.retire');
    expect(retire).toHaveLength(1);
    expect(retire[0]).toMatchObject({ actor: { name: 'admin' }, target: { id: stale.hostId }, details: { reason: 'agent state lost; re-enrolled as its twin' } });
  });

  it('finds simulated hosts by name prefix to retire them', async () => {
    await enrolled('machine-s1', 'sim-run1-00000');
    await enrolled('machine-s2', 'SIM-run1-00001');
    const { agent: keep } = await enrolled('machine-k', 'simple-01');
    const prefixed = await call<{ hosts: HostListed[] }>('GET', '/api/v1/hosts?namePrefix=sim-');
    expect(prefixed.hosts.map((h) => h.name).sort()).toEqual(['SIM-run1-00001', 'sim-run1-00000']);
    // `_` and `%` are plain characters, not patterns.
    expect((await call<{ hosts: HostListed[] }>('GET', '/api/v1/hosts?namePrefix=sim_')).hosts).toEqual([]);
    for (const h of prefixed.hosts) await call('POST', `/api/v1/hosts/${h.id}/retire`, {});
    expect((await call<{ hosts: HostListed[] }>('GET', '/api/v1/hosts')).hosts.map((h) => h.id)).toEqual([keep.hostId]);
    expect((await call<{ hosts: HostListed[] }>('GET', '/api/v1/hosts?namePrefix=sim-')).hosts).toEqual([]);
  });

  it('lists enrollment tokens with their state, never the secret; a revoked token enrolls nobody; revoking is audited once', async () => {
    const usable = await call<{ id: string; token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: 2, attributes: { tier: 1 } }, 201);
    const once = await call<{ id: string; token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: 1 }, 201);
    const short = await call<{ id: string; token: string }>('POST', '/api/v1/enroll-tokens', { expiresInSeconds: 60 }, 201);
    expect((await new TestAgent(t).enroll(once.token, almaFacts('machine-o', 'once-01'))).statusCode).toBe(201);
    t.clock.advance(61_000);

    const res = await t.app.inject({ method: 'GET', url: '/api/v1/enroll-tokens', headers: admin(t) });
    expect(res.statusCode).toBe(200);
    for (const secret of [usable.token, once.token, short.token]) expect(res.body).not.toContain(secret);
    const byId = new Map(res.json<{ tokens: TokenListed[] }>().tokens.map((x) => [x.id, x]));
    expect(byId.get(usable.id)).toMatchObject({ state: 'usable', uses: 0, maxUses: 2, attributes: { tier: 1 }, revokedAt: null });
    expect(byId.get(once.id)).toMatchObject({ state: 'used-up', uses: 1 });
    expect(byId.get(short.id)).toMatchObject({ state: 'expired' });

    await call('DELETE', `/api/v1/enroll-tokens/${usable.id}`, undefined, 204);
    await call('DELETE', `/api/v1/enroll-tokens/${usable.id}`, undefined, 204);
    await call('DELETE', '/api/v1/enroll-tokens/00000000-0000-4000-8000-000000000000', undefined, 404);
    const after = (await call<{ tokens: TokenListed[] }>('GET', '/api/v1/enroll-tokens')).tokens.find((x) => x.id === usable.id);
    expect(after).toMatchObject({ state: 'revoked', revokedAt: t.clock.read().toISOString() });
    const refused = await new TestAgent(t).enroll(usable.token, almaFacts('machine-r', 'late-01'));
    expect(refused.statusCode).toBe(401);
    expect(refused.json<{ error: { message: string } }>().error.message).toContain('revoked');

    const events = (await call<{ events: { action: string; target: { id: string } }[] }>('GET', '/api/v1/audit/events')).events;
    expect(events.filter((e) => e.action === 'enroll-token.revoke').map((e) => e.target.id)).toEqual([usable.id]);
  });
});
