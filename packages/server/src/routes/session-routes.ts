import { Type } from '@fastify/type-provider-typebox';
import { AuditStore, PatchwiseError, UserStore, hashPassword } from '@patchwise/core';
import { RATE_LIMIT_WINDOW, type App, type AppDeps } from '../app-types.js';
import { personActor, personOf } from '../caller-actor.js';
import { tablesOf } from '../database.js';
import { SESSION_COOKIE } from '../person-auth.js';
import { UserView, userView } from './user-routes.js';

/** Password guesses one address may make per minute, on top of the per-user lock-out. */
const LOGINS_PER_MINUTE = 10;

const GrantView = Type.Object({ permission: Type.String(), scope: Type.Union([Type.Literal('all'), Type.Object({ groups: Type.Array(Type.String()), environments: Type.Array(Type.String()) })]) });

/**
 * Web sessions: a password login sets an HttpOnly, SameSite=Strict cookie; logging out ends the
 * session. `me` tells a signed-in person who they are and what they may do; anyone may change
 * their own password given the current one.
 */
export function sessionRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/api/v1/sessions',
    {
      config: { auth: 'public', rateLimit: { max: LOGINS_PER_MINUTE, timeWindow: RATE_LIMIT_WINDOW } },
      schema: {
        summary: 'Log in with a user name and password; sets the session cookie',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ user: Type.String(), expiresAt: Type.String() }) },
      },
    },
    async (request, reply) => {
      const { name, password } = request.body;
      // The failure count must commit even though the answer is a refusal: decide, commit, then refuse.
      const outcome = await deps.db.transaction().execute(async (trx) => {
        const people = new UserStore(tablesOf(trx), deps.clock);
        const audit = new AuditStore(tablesOf(trx), deps.clock);
        const result = await people.login(name, password);
        if (!result.ok) {
          if (result.userId) {
            const actor = { kind: 'user' as const, id: result.userId, name };
            await audit.append({ actor, action: result.lockedNow ? 'user.lock' : 'user.login.fail', target: { kind: 'user', id: result.userId }, details: { ip: request.ip } });
          }
          return undefined;
        }
        const session = await people.createSession(result.user.id);
        await audit.append({ actor: { kind: 'user', id: result.user.id, name: result.user.name, via: `session:${session.id}` }, action: 'user.login', target: { kind: 'user', id: result.user.id }, details: { ip: request.ip } });
        return { user: result.user.name, session };
      });
      if (!outcome) throw new PatchwiseError('PW_UNAUTHENTICATED', 'wrong user name or password, or the account is locked or disabled');
      const { session } = outcome;
      reply.setCookie(SESSION_COOKIE, session.secret, { httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', path: '/', expires: session.expiresAt });
      return reply.status(201).send({ user: outcome.user, expiresAt: session.expiresAt.toISOString() });
    },
  );

  app.delete(
    '/api/v1/sessions/current',
    { config: { auth: 'person', permission: 'self' }, schema: { summary: 'Log out: end the session of this cookie', response: { 204: Type.Null() } } },
    async (request, reply) => {
      const caller = personOf(request);
      if (caller.via.kind !== 'session') throw new PatchwiseError('PW_CONFLICT', 'this request used an API token, not a session; revoke tokens with DELETE /api/v1/tokens/:id');
      await deps.db.transaction().execute(async (trx) => {
        await new UserStore(tablesOf(trx), deps.clock).revokeSession(caller.via.id);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'user.logout', target: { kind: 'user', id: caller.userId } });
      });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { auth: 'person', permission: 'self' },
      schema: { summary: 'Who is calling, through which credential, and every permission they hold with its scope', response: { 200: Type.Object({ user: UserView, via: Type.String(), grants: Type.Array(GrantView) }) } },
    },
    async (request) => {
      const caller = personOf(request);
      const user = await new UserStore(tablesOf(deps.db), deps.clock).requireUser(caller.userId);
      const grants = caller.grants.list().map(({ permission, grant }) => ({
        permission,
        scope: grant.kind === 'scoped' ? { groups: [...grant.groups].sort(), environments: [...grant.environments].sort() } : ('all' as const),
      }));
      return { user: userView(user), via: caller.via.kind, grants };
    },
  );

  app.put(
    '/api/v1/me/password',
    {
      config: { auth: 'person', permission: 'self' },
      schema: { summary: 'Change your own password, given the current one', body: Type.Object({ current: Type.String({ minLength: 1, maxLength: 1024 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false }), response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const caller = personOf(request);
      const hash = await hashPassword(request.body.password);
      const ok = await deps.db.transaction().execute(async (trx) => {
        const people = new UserStore(tablesOf(trx), deps.clock);
        // Checked like a login, so guessing the current password here also counts toward the lock-out.
        const check = await people.login(caller.userName, request.body.current);
        if (!check.ok) return false;
        await people.setPassword(caller.userId, hash);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'user.password.change', target: { kind: 'user', id: caller.userId } });
        return true;
      });
      if (!ok) throw new PatchwiseError('PW_FORBIDDEN', 'the current password is wrong (or the account is locked)');
      return reply.status(204).send(null);
    },
  );
}
