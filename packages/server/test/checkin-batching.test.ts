import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostStore, type DatabaseHandle } from '@patchwise/core';
import { tablesOf, type Database } from '../src/database.js';
import { almaFacts, almaInventory } from './support/fixtures.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, openTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');

/**
 * Concurrent check-ins and replay nonces are written in batches (one statement for many
 * requests). Batching must not change any answer: each agent gets its own, a quarantined host or
 * another machine's key in the same batch still takes the refusing path, and a nonce is accepted
 * once across server processes sharing the database.
 */
describe.each(kinds)('batched check-ins on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  let t: TestApp;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    t = await openTestApp(db);
  });
  afterAll(async () => {
    await t.close();
    await db.close();
  });

  async function enrolled(n: number, prefix: string): Promise<TestAgent[]> {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} });
    const token = res.json<{ token: string }>().token;
    const agents: TestAgent[] = [];
    for (let i = 0; i < n; i++) {
      const agent = new TestAgent(t);
      expect((await agent.enroll(token, almaFacts(`${prefix}-${i}`, `${prefix}-${i}`))).statusCode).toBe(201);
      agents.push(agent);
    }
    return agents;
  }

  it('answers each of many concurrent check-ins as if it came alone', async () => {
    const agents = await enrolled(12, 'batch');
    // Half of them have sent an inventory: the server must ask only the others for theirs.
    const inventory = almaInventory([{ name: 'openssl', version: '3.0.7-27.el9' }]);
    for (const agent of agents.slice(0, 6)) {
      expect((await agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory })).statusCode).toBe(200);
    }
    const [quarantined, impostor] = [agents[10] as TestAgent, agents[11] as TestAgent];
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/hosts/${quarantined.hostId}`, headers: admin(t), payload: { status: 'quarantined', reason: 'test' } })).statusCode).toBe(200);
    t.clock.advance(30_000);
    const replies = await Promise.all(
      agents.map((agent, i) => {
        // The impostor presents another machine's id with its (genuine) key.
        const facts = agent === impostor ? almaFacts('someone-else', 'batch-11') : { ...almaFacts(`batch-${i}`, `batch-${i}`), uptimeSeconds: 7200 + i };
        return agent.send('POST', '/api/v1/agent/checkin', { facts, inventoryDigest: digestOf(inventory) });
      }),
    );
    expect(replies.slice(0, 10).map((r) => r.json<{ sendInventory: boolean }>().sendInventory)).toEqual([false, false, false, false, false, false, true, true, true, true]);
    expect(replies[10]?.statusCode).toBe(403);
    expect(replies[11]?.statusCode).toBe(403);
    expect(replies[11]?.json().error.message).toMatch(/different machine/);
    const hosts = new HostStore(tablesOf(db.db), t.clock.read);
    for (const [i, agent] of agents.slice(0, 10).entries()) {
      const host = await hosts.require(agent.hostId);
      expect(host.lastSeenAt?.getTime()).toBe(t.clock.read().getTime());
      expect(host.facts.uptimeSeconds).toBe(7200 + i);
    }
    expect((await hosts.require(impostor.hostId)).status).toBe('quarantined');
    expect((await hosts.require(quarantined.hostId)).facts.uptimeSeconds).toBe(3600);
  });

  it('accepts a nonce once, whether replayed concurrently to one process or to two sharing the database', async () => {
    const [agent] = await enrolled(1, 'replay');
    const other = await openTestApp(db, { empty: false }); // a second server process, as it were
    try {
      const body = JSON.stringify({ facts: almaFacts('replay-0', 'replay-0'), inventoryDigest: null });
      const headers = (agent as TestAgent).signedHeaders('POST', '/api/v1/agent/checkin', body);
      const send = (app: TestApp) => app.app.inject({ method: 'POST', url: '/api/v1/agent/checkin', payload: body, headers });
      const replies = await Promise.all([send(t), send(t), send(other), send(other), send(t)]);
      const codes = replies.map((r) => r.statusCode).sort();
      expect(codes).toEqual([200, 401, 401, 401, 401]);
      for (const r of replies.filter((r) => r.statusCode === 401)) expect(r.json().error.message).toMatch(/replayed/);
      // Fresh nonces from the same agent at once all pass: batching never confuses two requests.
      const fresh = await Promise.all([0, 1, 2].map(() => (agent as TestAgent).send('POST', '/api/v1/agent/checkin', { facts: almaFacts('replay-0', 'replay-0'), inventoryDigest: null })));
      expect(fresh.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    } finally {
      await other.close();
    }
  });
});
