import type { Grant, Grants, Permission } from '@patchwise/core';

/**
 * Every route declares who may call it; a route without a declaration fails to register, so
 * nothing is reachable by default.
 * - `public`: by design, no credentials (health, readiness, the OpenAPI document, login).
 * - `enroll`: the body carries a one-time enrollment secret, checked by the handler.
 * - `agent`: a request signed by an enrolled agent's key.
 * - `person`: a user's API token or web session, holding `permission` (or `self`: any signed-in
 *   user acting on their own account).
 */
export type RouteAuth = 'public' | 'enroll' | 'agent' | 'person';

export const ROUTE_AUTHS: readonly RouteAuth[] = ['public', 'enroll', 'agent', 'person'];

export type RoutePermission = Permission | 'self';

/** One registered route and who may call it; the app keeps them all in `routeTable`. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly auth: RouteAuth;
  readonly permission?: RoutePermission | undefined;
}

/** A signed-in person: who, through which credential, and what they hold. */
export interface PersonCaller {
  readonly kind: 'person';
  readonly userId: string;
  readonly userName: string;
  readonly via: { readonly kind: 'token' | 'session'; readonly id: string };
  readonly grants: Grants;
  /** The grant of the route's own permission (everything for `self` routes). */
  readonly grant: Grant;
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly routeTable: readonly RouteEntry[];
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
    permission?: RoutePermission;
  }
  interface FastifyRequest {
    /** The raw body bytes, kept for agent signature checks. */
    rawBody?: Buffer;
    /** Who is calling, once authenticated. */
    caller?: PersonCaller | { readonly kind: 'agent'; readonly hostId: string };
  }
}
