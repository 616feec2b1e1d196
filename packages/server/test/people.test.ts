import { describe, expect, it } from 'vitest';
import { DEFAULT_PEOPLE_POLICY, type DatabaseHandle } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { postgresAvailable } from './support/test-database.js';
import { admin, eachTestApp, personHeaders, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const PASSWORD = 'correct horse battery staple';

describe.each(kinds)('people, sessions and lock-out on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  let t: TestApp;
  eachTestApp(kind, (app, handle) => {
    t = app;
    db = handle;
  });

  // Each login from its own address, as a guesser rotating addresses would: the per-address
  // limit (tested below) does not hide the per-user lock-out.
  let address = 0;
  const login = (name: string, password: string, remoteAddress = `10.0.${Math.floor(++address / 250)}.${address % 250}`) =>
    t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { name, password }, remoteAddress });
  const cookieOf = (res: { cookies: { name: string; value: string }[] }) => `pw_session=${res.cookies.find((c) => c.name === 'pw_session')?.value ?? ''}`;
  const createUser = async (name: string, roles: { role: string }[] = [{ role: 'viewer' }]) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin(t), payload: { name, password: PASSWORD, roles } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string; bindings: { id: string }[] }>();
  };

  it('logs in with a password, sets an HttpOnly SameSite cookie, and ends the session at logout', async () => {
    await createUser('alice');
    const res = await login('alice', PASSWORD);
    expect(res.statusCode, res.body).toBe(201);
    const cookie = res.cookies.find((c) => c.name === 'pw_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.value).toMatch(/^pws_/);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: cookieOf(res) } });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({ user: { name: 'alice' }, via: 'session', grants: expect.arrayContaining([{ permission: 'hosts.read', scope: 'all' }]) });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: { cookie: cookieOf(res) } })).statusCode).toBe(200);
    // A viewer's session cannot write, whatever it sends.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: { cookie: cookieOf(res), 'x-patchwise-csrf': '1' }, payload: {} })).statusCode).toBe(403);

    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', headers: { cookie: cookieOf(res) } })).statusCode).toBe(403); // no CSRF header
    const out = await t.app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', headers: { cookie: cookieOf(res), 'x-patchwise-csrf': '1' } });
    expect(out.statusCode, out.body).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: cookieOf(res) } })).statusCode).toBe(401);
    const actions = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: admin(t) })).json<{ events: { action: string; actor: { name: string; via?: string } }[] }>().events;
    expect(actions.filter((e) => e.action.startsWith('user.l')).map((e) => [e.action, e.actor.name, e.actor.via?.split(':')[0]])).toEqual([
      ['user.login', 'alice', 'session'],
      ['user.logout', 'alice', 'session'],
    ]);
  });

  it('refuses a session-authenticated change without the CSRF header', async () => {
    await createUser('root2', [{ role: 'admin' }]);
    const cookie = cookieOf(await login('root2', PASSWORD));
    const bare = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: { cookie }, payload: {} });
    expect(bare.statusCode).toBe(403);
    expect(bare.json().error.message).toMatch(/x-patchwise-csrf/);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: { cookie, 'x-patchwise-csrf': '1' }, payload: {} })).statusCode).toBe(201);
  });

  it('ends a session after 30 idle minutes and after 12 hours in any case', async () => {
    await createUser('bob');
    const cookie = cookieOf(await login('bob', PASSWORD));
    const me = () => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    for (let i = 0; i < 24; i++) {
      t.clock.advance(29 * 60_000); // each request within the idle limit keeps it alive…
      expect((await me()).statusCode, `after ${(i + 1) * 29} minutes`).toBe(200);
    }
    t.clock.advance(29 * 60_000); // …but not past the 12-hour cap (25 × 29 min > 12 h)
    expect((await me()).statusCode).toBe(401);
    const again = cookieOf(await login('bob', PASSWORD));
    t.clock.advance(DEFAULT_PEOPLE_POLICY.sessionIdleMs + 1000);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: again } })).statusCode).toBe(401);
  });

  it('locks an account after five wrong passwords, refuses even the right one while locked, and unlocks after 15 minutes', async () => {
    await createUser('carol');
    for (let i = 0; i < 4; i++) expect((await login('carol', `wrong password ${i}`)).statusCode).toBe(401);
    expect((await login('carol', PASSWORD)).statusCode).toBe(201); // a success resets the count
    for (let i = 0; i < 5; i++) expect((await login('carol', `wrong password ${i}`)).statusCode).toBe(401);
    const locked = await login('carol', PASSWORD);
    expect(locked.statusCode).toBe(401);
    // The answer is the same as for an unknown user: nothing tells a guesser which it was.
    expect(locked.json().error.message).toBe((await login('nobody-here', PASSWORD)).json().error.message);
    const shown = (await t.app.inject({ method: 'GET', url: '/api/v1/users/carol', headers: admin(t) })).json<{ lockedUntil: string | null }>();
    expect(new Date(shown.lockedUntil ?? 0).getTime()).toBe(t.clock.read().getTime() + 15 * 60_000);
    t.clock.advance(15 * 60_000 + 1);
    expect((await login('carol', PASSWORD)).statusCode).toBe(201);
    // An admin can lift a lock at once.
    for (let i = 0; i < 5; i++) await login('carol', 'still wrong password');
    expect((await login('carol', PASSWORD)).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/users/carol', headers: admin(t), payload: { unlock: true } })).statusCode).toBe(200);
    expect((await login('carol', PASSWORD)).statusCode).toBe(201);
    const actions = (await t.app.inject({ method: 'GET', url: '/api/v1/audit/events', headers: admin(t) })).json<{ events: { action: string }[] }>().events.map((e) => e.action);
    expect(actions.filter((a) => a === 'user.lock')).toHaveLength(2);
    expect(actions).toContain('user.unlock');
  });

  it('limits password attempts per address to 10 a minute', async () => {
    const codes = [];
    for (let i = 0; i < 11; i++) codes.push((await login('someone', 'wrong password', '192.0.2.7')).statusCode);
    expect(codes).toEqual([...Array<number>(10).fill(401), 429]);
    expect((await login('someone', 'wrong password', '192.0.2.8')).statusCode).toBe(401);
  });

  it('stores only an scrypt hash, refuses short passwords, and ends sessions when the password changes', async () => {
    const short = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin(t), payload: { name: 'dave', password: 'short' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toMatch(/at least 12 characters/);
    await createUser('dave');
    const stored = await db.db.selectFrom('access_users').select('password_hash').where('name', '=', 'dave').executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(stored.password_hash).not.toContain(PASSWORD);
    const cookie = cookieOf(await login('dave', PASSWORD));
    const wrongCurrent = await t.app.inject({ method: 'PUT', url: '/api/v1/me/password', headers: { cookie, 'x-patchwise-csrf': '1' }, payload: { current: 'not my password', password: 'a brand new passphrase' } });
    expect(wrongCurrent.statusCode).toBe(403);
    const changed = await t.app.inject({ method: 'PUT', url: '/api/v1/me/password', headers: { cookie, 'x-patchwise-csrf': '1' }, payload: { current: PASSWORD, password: 'a brand new passphrase' } });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
    expect((await login('dave', PASSWORD)).statusCode).toBe(401);
    expect((await login('dave', 'a brand new passphrase')).statusCode).toBe(201);
  });

  it("stops a disabled user's tokens and sessions, and lets them back in when enabled", async () => {
    await createUser('erin');
    const headers = await personHeaders(t, 'erin', []);
    const cookie = cookieOf(await login('erin', PASSWORD));
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hosts', headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/users/erin', headers: admin(t), payload: { disabled: true } })).json()).toMatchObject({ disabled: true });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hosts', headers })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
    expect((await login('erin', PASSWORD)).statusCode).toBe(401);
    await t.app.inject({ method: 'PATCH', url: '/api/v1/users/erin', headers: admin(t), payload: { disabled: false } });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hosts', headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401); // the old session stays ended
  });

  it('gives and takes roles, and keeps custom roles that someone holds', async () => {
    const frank = await createUser('frank', []);
    const headers = await personHeaders(t, 'frank', []);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hosts', headers })).statusCode).toBe(403); // no role: nothing
    const role = await t.app.inject({ method: 'POST', url: '/api/v1/roles', headers: admin(t), payload: { name: 'host-reader', permissions: ['hosts.read'] } });
    expect(role.statusCode, role.body).toBe(201);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/roles', headers: admin(t), payload: { name: 'typo', permissions: ['hosts.raed'] } });
    expect(bad.json().error.message).toMatch(/unknown permission hosts\.raed/);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/roles', headers: admin(t), payload: { name: 'viewer', permissions: ['hosts.read'] } })).statusCode).toBe(409);
    const granted = await t.app.inject({ method: 'POST', url: '/api/v1/users/frank/bindings', headers: admin(t), payload: { role: 'host-reader', environments: ['prod'] } });
    expect(granted.json()).toMatchObject({ bindings: [{ role: 'host-reader', scope: { groups: [], environments: ['prod'] } }] });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hosts', headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/users/frank/bindings', headers: admin(t), payload: { role: 'host-reader', environments: ['prod'] } })).statusCode).toBe(409);
    const held = await t.app.inject({ method: 'DELETE', url: '/api/v1/roles/host-reader', headers: admin(t) });
    expect(held.statusCode).toBe(409);
    expect(held.json().error.message).toMatch(/held by frank/);
    const bindingId = granted.json<{ bindings: { id: string }[] }>().bindings[0]!.id;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/users/frank/bindings/${bindingId}`, headers: admin(t) })).json()).toMatchObject({ id: frank.id, bindings: [] });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hosts', headers })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/roles/host-reader', headers: admin(t) })).statusCode).toBe(204);
  });

  it("keeps people to their own tokens unless they manage users", async () => {
    const viewer = await personHeaders(t, 'gina', [{ role: 'viewer' }]);
    const own = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: viewer, payload: { name: 'script', permissions: ['findings.read'] } });
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json()).toMatchObject({ user: 'gina', permissions: ['findings.read'] });
    const narrowed = { authorization: `Bearer ${own.json<{ token: string }>().token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/findings', headers: narrowed })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: narrowed })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: viewer, payload: { name: 'x', user: 'admin' } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tokens?all=true', headers: viewer })).statusCode).toBe(403);
    const mine = (await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: viewer })).json<{ tokens: { user: string }[] }>().tokens;
    expect(mine.length).toBe(2);
    expect(mine.every((x) => x.user === 'gina')).toBe(true);
    const adminsTokenId = (await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: admin(t) })).json<{ tokens: { id: string }[] }>().tokens[0]!.id;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${adminsTokenId}`, headers: viewer })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/tokens?all=true', headers: admin(t) })).json<{ tokens: unknown[] }>().tokens.length).toBe(3);
  });
});
