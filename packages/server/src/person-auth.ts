import { AccessStore, Grants, PatchwiseError, UserStore, type Grant } from '@patchwise/core';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { tablesOf, type Database } from './database.js';
import type { PersonCaller, RoutePermission } from './route-auth.js';

export const SESSION_COOKIE = 'pw_session';
/**
 * Requests that change something and authenticate with the session cookie must carry this
 * header. A page on another site cannot add a custom header without a CORS preflight, which this
 * server never grants, so the header proves the request came from our own pages (OWASP's
 * "custom request header" defence; the cookie is also SameSite=Strict).
 */
export const CSRF_HEADER = 'x-patchwise-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ALL: Grant = { kind: 'all' };

/** Whether the request carries a credential of a person (a bearer token or the session cookie), valid or not. */
export function presentsCredential(request: FastifyRequest): boolean {
  const header = request.headers.authorization;
  return (typeof header === 'string' && header.startsWith('Bearer ')) || Boolean(request.cookies[SESSION_COOKIE]);
}

/**
 * Who is calling and whether they may: a bearer API token, else the session cookie; then the
 * user's role bindings (narrowed by the token's permissions) must grant the route's permission
 * in some scope. The handler narrows further to the hosts in that scope.
 */
export async function authenticatePerson(request: FastifyRequest, db: Kysely<Database>, clock: () => Date, permission: RoutePermission): Promise<PersonCaller> {
  const access = new AccessStore(tablesOf(db), clock);
  const people = new UserStore(tablesOf(db), clock);
  const header = request.headers.authorization;
  let userId: string;
  let via: PersonCaller['via'];
  let tokenPermissions: readonly string[] | null = null;
  if (typeof header === 'string' && header.startsWith('Bearer ')) {
    const token = await access.authenticateToken(header.slice(7).trim());
    userId = token.userId;
    via = { kind: 'token', id: token.id };
    tokenPermissions = token.permissions;
  } else {
    const secret = request.cookies[SESSION_COOKIE];
    if (!secret) throw new PatchwiseError('PW_UNAUTHENTICATED', 'sign in, or send an API token (Authorization: Bearer …)');
    if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] === undefined) {
      throw new PatchwiseError('PW_FORBIDDEN', `a ${request.method} with the session cookie must carry the ${CSRF_HEADER} header`);
    }
    const session = await people.authenticateSession(secret);
    userId = session.userId;
    via = { kind: 'session', id: session.sessionId };
  }
  const user = await people.user(userId);
  if (!user || user.disabled) throw new PatchwiseError('PW_UNAUTHENTICATED', `the user behind this ${via.kind} is disabled or gone`);
  const grants = Grants.resolve(user.bindings, await people.customRoles(), tokenPermissions);
  const grant = permission === 'self' ? ALL : grants.get(permission);
  if (grant.kind === 'none') throw new PatchwiseError('PW_FORBIDDEN', `${user.name} does not hold the ${permission} permission${tokenPermissions ? ' (through this token)' : ''}`);
  return { kind: 'person', userId: user.id, userName: user.name, via, grants, grant };
}
