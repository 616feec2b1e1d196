/**
 * Limits per client address where guessing a secret would otherwise be free: the public
 * enrollment endpoint, and failed authentications on person routes. Both answer 429 with the
 * API's error body and Retry-After; valid credentials are never refused by the second.
 */
import { describe, expect, it } from 'vitest';
import { ENROLLMENTS_PER_MINUTE, FAILED_AUTHENTICATIONS_PER_MINUTE } from '../src/app-types.js';
import { SESSION_COOKIE } from '../src/person-auth.js';
import { almaFacts } from './support/fixtures.js';
import { openTestDatabase } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, openTestApp, type TestApp } from './support/test-app.js';

describe('rate limits per client address', () => {
  let t: TestApp;
  eachTestApp('pglite', (app) => {
    t = app;
  });

  function enrollFrom(remoteAddress: string) {
    return t.app.inject({ method: 'POST', url: '/api/v1/agent/enroll', remoteAddress, payload: { token: 'not-a-secret', publicKey: new TestAgent(t).keys.publicKey, facts: almaFacts() } });
  }

  it(`limit enrollment attempts to ${ENROLLMENTS_PER_MINUTE} a minute from one address`, async () => {
    const codes: number[] = [];
    for (let i = 0; i < ENROLLMENTS_PER_MINUTE; i++) codes.push((await enrollFrom('192.0.2.10')).statusCode);
    expect(new Set(codes)).toEqual(new Set([401]));
    const limited = await enrollFrom('192.0.2.10');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('PW_RATE_LIMITED');
    expect(limited.json().error.message).toMatch(new RegExp(`^more than ${ENROLLMENTS_PER_MINUTE} requests in 1 minute; retry in (\\d+ seconds|1 minute)$`));
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another address (another site's fleet) is counted on its own.
    expect((await enrollFrom('192.0.2.11')).statusCode).toBe(401);
  });

  it('still enrolls with a valid secret below the limit', async () => {
    const { token } = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>();
    expect((await new TestAgent(t).enroll(token, almaFacts())).statusCode).toBe(201);
  });

  function feedsWith(headers: Record<string, string>, remoteAddress = '198.51.100.7') {
    return t.app.inject({ method: 'GET', url: '/api/v1/feeds', remoteAddress, headers });
  }
  const badToken = (i: number) => ({ authorization: `Bearer pw_guess_${i}` });

  it(`answer 429 after ${FAILED_AUTHENTICATIONS_PER_MINUTE} failed authentications a minute from one address`, async () => {
    const codes: number[] = [];
    for (let i = 0; i < FAILED_AUTHENTICATIONS_PER_MINUTE; i++) codes.push((await feedsWith(badToken(i))).statusCode);
    expect(new Set(codes)).toEqual(new Set([401]));
    const limited = await feedsWith(badToken(999));
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: { code: 'PW_RATE_LIMITED', message: `more than ${FAILED_AUTHENTICATIONS_PER_MINUTE} failed authentications from this address in 1 minute; retry in 60 seconds` } });
    expect(limited.headers['retry-after']).toBe('60');
    // A bad session cookie counts the same as a bad token.
    expect((await feedsWith({ cookie: `${SESSION_COOKIE}=forged` })).statusCode).toBe(429);

    // Valid credentials from the same address still work: a shared NAT cannot be locked out.
    expect((await feedsWith(admin(t))).statusCode).toBe(200);
    // A request with no credentials guesses nothing: still the plain 401.
    expect((await feedsWith({})).statusCode).toBe(401);
    // Other addresses are not affected.
    expect((await feedsWith(badToken(1000), '198.51.100.8')).statusCode).toBe(401);

    t.clock.advance(30_000);
    const later = await feedsWith(badToken(1001));
    expect([later.statusCode, later.headers['retry-after']]).toEqual([429, '30']);
    t.clock.advance(30_000);
    expect((await feedsWith(badToken(1002))).statusCode).toBe(401);
  });

  it('never count successful requests', async () => {
    for (let i = 0; i < FAILED_AUTHENTICATIONS_PER_MINUTE * 3; i++) expect((await feedsWith(admin(t))).statusCode).toBe(200);
    expect((await feedsWith(badToken(0))).statusCode).toBe(401);
  });
});

describe('--auth-failure-limit', () => {
  it('sets how many failed authentications an address may have a minute', async () => {
    const db = await openTestDatabase('pglite');
    const t = await openTestApp(db, { failedAuthenticationsPerMinute: 3 });
    try {
      const guess = (i: number) => t.app.inject({ method: 'GET', url: '/api/v1/feeds', remoteAddress: '203.0.113.9', headers: { authorization: `Bearer pw_guess_${i}` } });
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await guess(i)).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
      expect((await guess(4)).json().error.message).toMatch(/^more than 3 failed authentications from this address in 1 minute/);
    } finally {
      await t.close();
      await db.close();
    }
  });
});
