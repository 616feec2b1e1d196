/**
 * Every route declares who may call it; a route without a declaration fails to register.
 * - `public`: by design, no credentials (health, readiness, the OpenAPI document).
 * - `enroll`: the body carries a one-time enrollment secret, checked by the handler.
 * - `agent`: a request signed by an enrolled agent's key.
 * - `admin`: a bearer API token.
 */
export type RouteAuth = 'public' | 'enroll' | 'agent' | 'admin';

export const ROUTE_AUTHS: readonly RouteAuth[] = ['public', 'enroll', 'agent', 'admin'];

/** One registered route and who may call it; the app keeps them all in `routeTable`. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly auth: RouteAuth;
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly routeTable: readonly RouteEntry[];
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** The raw body bytes, kept for agent signature checks. */
    rawBody?: Buffer;
    /** Who is calling, once authenticated. */
    caller?: { readonly kind: 'admin'; readonly tokenId: string; readonly tokenName: string } | { readonly kind: 'agent'; readonly hostId: string };
  }
}
