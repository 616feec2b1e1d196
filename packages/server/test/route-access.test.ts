import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { almaFacts } from './support/fixtures.js';
import { openTestDatabase } from './support/test-database.js';
import { TestAgent, admin, openTestApp, type TestApp } from './support/test-app.js';

/** Routes public by design: they reveal nothing about the fleet. Reviewed; extend deliberately. */
const PUBLIC = ['GET /healthz', 'HEAD /healthz', 'GET /readyz', 'HEAD /readyz', 'GET /api/v1/openapi.json', 'HEAD /api/v1/openapi.json', 'POST /api/v1/sessions'];

describe('every route requires authentication unless public by design', () => {
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
  });

  const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, randomUUID());

  it('lists exactly the reviewed public routes', () => {
    const publicRoutes = t.app.routeTable.filter((r) => r.auth === 'public').map((r) => `${r.method} ${r.url}`);
    expect(publicRoutes.sort()).toEqual([...PUBLIC].sort());
  });

  it('refuses every person route without a token, with a wrong token, and with an agent signature', async () => {
    const agent = new TestAgent(t);
    const enrolled = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} });
    expect((await agent.enroll(enrolled.json<{ token: string }>().token, almaFacts())).statusCode).toBe(201);
    const adminRoutes = t.app.routeTable.filter((r) => r.auth === 'person' && r.permission !== 'self');
    expect(adminRoutes.length).toBeGreaterThan(5);
    for (const [i, r] of adminRoutes.entries()) {
      const url = concrete(r.url);
      const method = r.method as 'GET';
      const none = await t.app.inject({ method, url });
      expect(none.statusCode, `${r.method} ${r.url} without a token`).toBe(401);
      // Each from its own address: one address gets 429 after 30 refused tokens a minute (auth-rate-limits.test.ts).
      const remoteAddress = `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      const wrong = await t.app.inject({ method, url, remoteAddress, headers: { authorization: 'Bearer pwt_not-a-token' } });
      expect(wrong.statusCode, `${r.method} ${r.url} with a wrong token`).toBe(401);
      const signed = await t.app.inject({ method, url, payload: '{}', headers: agent.signedHeaders(r.method, url, '{}') });
      expect(signed.statusCode, `${r.method} ${r.url} with an agent's signature`).toBe(401);
    }
  });

  it('refuses every agent route without a valid signature', async () => {
    const agentRoutes = t.app.routeTable.filter((r) => r.auth === 'agent');
    expect(agentRoutes.length).toBeGreaterThan(1);
    for (const r of agentRoutes) {
      const res = await t.app.inject({ method: r.method as 'POST', url: concrete(r.url), payload: {}, headers: admin(t) });
      expect(res.statusCode, `${r.method} ${r.url} with an admin token only`).toBe(401);
    }
  });

  it('refuses enrollment with an unknown secret', async () => {
    const enrollRoutes = t.app.routeTable.filter((r) => r.auth === 'enroll');
    expect(enrollRoutes.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /api/v1/agent/enroll']);
    const res = await new TestAgent(t).enroll('pwe_unknown', almaFacts());
    expect(res.statusCode).toBe(401);
  });
});
