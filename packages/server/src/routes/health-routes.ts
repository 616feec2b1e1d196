import { Type } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { App, AppDeps } from '../app-types.js';

/** Liveness, readiness and the OpenAPI document: public by design, they reveal no fleet data. */
export function healthRoutes(app: App, deps: AppDeps): void {
  app.get('/healthz', { config: { auth: 'public' }, schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, () => ({ status: 'ok' as const }));

  app.get(
    '/readyz',
    { config: { auth: 'public' }, schema: { response: { 200: Type.Object({ status: Type.String() }), 503: Type.Object({ status: Type.String() }) } } },
    async (_request, reply) => {
      if (!deps.ready()) return reply.status(503).send({ status: 'starting' });
      try {
        await sql`select 1`.execute(deps.db);
      } catch {
        return reply.status(503).send({ status: 'database unavailable' });
      }
      return { status: 'ready' };
    },
  );

  app.get('/api/v1/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, () => app.swagger());
}
