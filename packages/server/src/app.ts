import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { FAILED_AUTHENTICATIONS_PER_MINUTE, MAX_FEED_UPLOAD, MAX_JSON_BODY, RATE_LIMIT_WINDOW, type App, type AppDeps } from './app-types.js';
import { AGENT_HEADERS, AccessStore, AgentAuthenticator, PatchwiseError, isPatchwiseError, parseJson, countNoun } from '@patchwise/core';
import { authenticatePerson, presentsCredential } from './person-auth.js';
import { checkBodyMediaType } from './body-media-type.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { validationMessage } from './validation-message.js';
import Fastify from 'fastify';
import { tablesOf } from './database.js';
import { httpStatusOf } from './http-status.js';
import { ROUTE_AUTHS, type RouteEntry } from './route-auth.js';
import { agentRoutes } from './routes/agent-routes.js';
import { agentJobRoutes } from './routes/agent-job-routes.js';
import { deploymentRoutes } from './routes/deployment-routes.js';
import { libraryRoutes } from './routes/library-routes.js';
import { agentlessRoutes } from './routes/agentless-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { baselineRoutes } from './routes/baseline-routes.js';
import { changeRoutes } from './routes/change-routes.js';
import { cmdbRoutes } from './routes/cmdb-routes.js';
import { enrollTokenRoutes } from './routes/enroll-token-routes.js';
import { feedRoutes } from './routes/feed-routes.js';
import { exceptionRoutes } from './routes/exception-routes.js';
import { findingRoutes } from './routes/finding-routes.js';
import { groupRoutes } from './routes/group-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { hostRoutes } from './routes/host-routes.js';
import { maintenanceRoutes } from './routes/maintenance-routes.js';
import { patchSetRoutes } from './routes/patch-set-routes.js';
import { policyRoutes } from './routes/policy-routes.js';
import { reportRoutes } from './routes/report-routes.js';
import { roleRoutes } from './routes/role-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { signingKeyRoutes } from './routes/signing-key-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { userRoutes } from './routes/user-routes.js';

const MAX_JSON_DEPTH = 64;

/** Builds the HTTP API (not listening): routes, validation, authentication, errors, OpenAPI. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app: App = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: MAX_JSON_BODY,
    // Unknown fields are refused, not silently dropped (Fastify's default removes them).
    // `verbose` puts the refused value and the keyword's schema into each error, so messages can
    // say what was sent and list the values an anyOf of literals accepts.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, verbose: true } },
    schemaErrorFormatter: (errors, part) => new Error(validationMessage(errors, part)),
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON is parsed here, not by Fastify's parser: the raw bytes are kept for agent signatures,
  // and nesting depth is limited before anything walks the value.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, parseJson(body.toString('utf8'), 'request body', MAX_JSON_DEPTH));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // No route takes text; without this parser a text body is refused by the media type check
  // (415) rather than reaching a JSON route's schema as a string.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_FEED_UPLOAD }, (_request, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number; validation?: unknown }, request, reply) => {
    if (isPatchwiseError(err)) return reply.status(httpStatusOf(err.code)).send({ error: { code: err.code, message: err.message } });
    if (err.validation) return reply.status(400).send({ error: { code: 'PW_INPUT_INVALID', message: err.message } });
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.status(415).send({ error: { code: 'PW_MEDIA_TYPE_UNSUPPORTED', message: err.message } });
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send({ error: { code: 'PW_INPUT_TOO_LARGE', message: err.message } });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: { code: 'PW_INPUT_INVALID', message: err.message } });
    }
    request.log.error({ err }, 'request failed');
    // Only the stack: a database error's own fields can hold a whole request body (its parameters).
    if (!deps.logger) deps.log?.(`error: ${request.method} ${request.url.split('?')[0]} failed (${request.id}): ${err.stack ?? err.message}`);
    return reply.status(500).send({ error: { code: 'PW_INTERNAL', message: 'internal error; see the server log' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'PW_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );

  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const { auth, permission } = route.config ?? {};
    if (!auth || !ROUTE_AUTHS.includes(auth)) throw new Error(`route ${String(route.method)} ${route.url} declares no auth`);
    if ((auth === 'person') !== (permission !== undefined)) throw new Error(`route ${String(route.method)} ${route.url}: a person route names its permission, and only a person route does`);
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url, auth, permission });
  });

  await app.register(cookie);
  const agents = new AgentAuthenticator(new AccessStore(tablesOf(deps.db), deps.clock), deps.clock);
  // Authentication and authorisation run before validation, so a caller without the right
  // learns nothing about the schema. Tokens and sessions need no body; agent signatures cover
  // the raw body, so they wait for parsing (bounded by the body limit) and run just before validation.
  const failedAuths = new FailedAuthLimiter(deps.failedAuthenticationsPerMinute ?? FAILED_AUTHENTICATIONS_PER_MINUTE, 60_000, deps.clock);
  app.addHook('onRequest', async (request, reply) => {
    const { auth, permission } = request.routeOptions.config;
    if (auth === 'person') {
      // onRoute refuses a person route without a permission; should one slip through, deny.
      if (permission === undefined) throw new PatchwiseError('PW_FORBIDDEN', 'this route declares no permission');
      try {
        request.caller = await authenticatePerson(request, deps.db, deps.clock, permission);
      } catch (err) {
        // Only refused credentials count: a request without any cannot be guessing one.
        const wait = isPatchwiseError(err) && err.code === 'PW_UNAUTHENTICATED' && presentsCredential(request) ? failedAuths.fail(request.ip) : undefined;
        if (wait === undefined) throw err;
        reply.header('retry-after', String(wait));
        throw new PatchwiseError('PW_RATE_LIMITED', `more than ${countNoun(failedAuths.max, 'failed authentication')} from this address in ${RATE_LIMIT_WINDOW}; retry in ${countNoun(wait, 'second')}`);
      }
    } else if (auth === 'agent' && typeof request.headers[AGENT_HEADERS.signature] !== 'string') {
      throw new PatchwiseError('PW_UNAUTHENTICATED', 'this route takes requests signed by an enrolled agent');
    }
  });
  // After authentication (a caller without the right learns nothing), before any parser reads the body.
  app.addHook('preParsing', async (request, _reply, payload) => {
    checkBodyMediaType(request);
    return payload;
  });
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.auth !== 'agent') return;
    const hostId = await agents.authenticate({ method: request.method, path: request.url, headers: request.headers, rawBody: request.rawBody });
    request.caller = { kind: 'agent', hostId };
    // The raw bytes served the signature only; an inventory's must not live as long as its upload.
    request.rawBody = undefined;
  });

  // Limits that routes opt into: per agent, counted after authentication (keyed by the proven host
  // id), so nobody can exhaust another host's allowance by sending requests in its name; and per
  // client address for the public login and enrollment. 429s carry Retry-After.
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    errorResponseBuilder: (_request, context) =>
      // `after` is the time left in the window, not the window itself.
      new PatchwiseError('PW_RATE_LIMITED', `more than ${countNoun(context.max, 'request')} in ${RATE_LIMIT_WINDOW}; retry in ${context.after}`),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Patchwise API', version: '1', description: 'Patch management control plane.' },
      components: {
        securitySchemes: {
          apiToken: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'pw_session', description: 'from POST /api/v1/sessions; changes also need the x-patchwise-csrf header' },
          agentSignature: { type: 'apiKey', in: 'header', name: 'x-patchwise-signature', description: 'Ed25519 signature; see docs/agent-protocol.md' },
        },
      },
    },
  });

  healthRoutes(app, deps);
  enrollTokenRoutes(app, deps);
  agentRoutes(app, deps);
  hostRoutes(app, deps);
  findingRoutes(app, deps);
  feedRoutes(app, deps);
  cmdbRoutes(app, deps);
  reportRoutes(app, deps);
  auditRoutes(app, deps);
  groupRoutes(app, deps);
  exceptionRoutes(app, deps);
  baselineRoutes(app, deps);
  tokenRoutes(app, deps);
  userRoutes(app, deps);
  roleRoutes(app, deps);
  sessionRoutes(app, deps);
  changeRoutes(app, deps);
  signingKeyRoutes(app, deps);
  policyRoutes(app, deps);
  patchSetRoutes(app, deps);
  agentJobRoutes(app, deps);
  deploymentRoutes(app, deps);
  libraryRoutes(app, deps);
  maintenanceRoutes(app, deps);
  agentlessRoutes(app, deps);
  return app;
}
