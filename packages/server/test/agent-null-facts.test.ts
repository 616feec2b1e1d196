/**
 * Facts an agent cannot know are null (a mounted root has no uptime; rpm systems no reboot
 * marker), and null is what the server must keep: the API's type coercion once turned them into
 * `uptimeSeconds: 0` and `rebootRequired: false`, claims nobody made.
 */
import { describe, expect, it } from 'vitest';
import { admin, eachTestApp, TestAgent, type TestApp } from './support/test-app.js';

const UNKNOWN = {
  machineId: null,
  os: null,
  kernel: null,
  arch: null,
  uptimeSeconds: null,
  ips: null,
  rebootRequired: null,
  timezone: null,
  serial: null,
  agentVersion: null,
};

describe('null agent facts', () => {
  let t: TestApp;
  eachTestApp('pglite', (app) => {
    t = app;
  });

  async function factsOf(hostId: string): Promise<Record<string, unknown>> {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/hosts/${hostId}`, headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ facts: Record<string, unknown> }>().facts;
  }

  it('stay null at enrollment and check-in', async () => {
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    const agent = new TestAgent(t);
    const enrolled = await agent.enroll(token, { hostname: 'image-01', ...UNKNOWN });
    expect(enrolled.statusCode, enrolled.body).toBe(201);
    expect(await factsOf(agent.hostId)).toEqual({ hostname: 'image-01', ...UNKNOWN });

    // Known facts at one check-in, unknown again at the next: null replaces them, it is not coerced.
    const known = { hostname: 'image-01', machineId: null, os: { id: 'debian', versionId: null, prettyName: null, versionCodename: 'sid' }, kernel: null, arch: 'x86_64', uptimeSeconds: 42, ips: ['10.0.0.9'], rebootRequired: true, timezone: 'UTC', serial: null, agentVersion: 'test' };
    const first = await agent.send('POST', '/api/v1/agent/checkin', { facts: known, inventoryDigest: null });
    expect(first.statusCode, first.body).toBe(200);
    expect(await factsOf(agent.hostId)).toEqual(known);
    const second = await agent.send('POST', '/api/v1/agent/checkin', { facts: { hostname: 'image-01', ...UNKNOWN }, inventoryDigest: null });
    expect(second.statusCode, second.body).toBe(200);
    expect(await factsOf(agent.hostId)).toEqual({ hostname: 'image-01', ...UNKNOWN });
  });

  it('are still checked when given: a wrong type is refused, not coerced', async () => {
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    const res = await new TestAgent(t).enroll(token, { hostname: 'image-02', uptimeSeconds: -1 });
    expect(res.statusCode).toBe(400);
  });
});
