import { Type } from '@fastify/type-provider-typebox';
import { AgentFactsSchema } from '../agent-facts.js';
import { ENROLLMENTS_PER_MINUTE, MAX_INVENTORY_BODY, RATE_LIMIT_WINDOW, agentRateLimit, type App, type AppDeps } from '../app-types.js';
import { FindingChangesView, Priorities } from '../views.js';
import { agentOf } from '../caller-actor.js';

const Digest = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Attributes = Type.Optional(Type.Record(Type.String(), Type.Unknown()));

/** What agents call: enroll once with a secret, then signed check-ins and inventory uploads. */
export function agentRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/api/v1/agent/enroll',
    {
      // Per client address (the plugin's default key): the secret is guessed from outside.
      config: { auth: 'enroll', rateLimit: { max: deps.enrollmentsPerMinute ?? ENROLLMENTS_PER_MINUTE, timeWindow: RATE_LIMIT_WINDOW } },
      schema: {
        summary: 'Enroll an agent with a one-time secret and its Ed25519 public key',
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 256 }), publicKey: Type.String({ minLength: 1, maxLength: 128 }), facts: AgentFactsSchema, attributes: Attributes },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            hostId: Type.String(),
            status: Type.String(),
            quarantineReason: Type.Union([Type.String(), Type.Null()]),
            intervalSeconds: Type.Integer(),
            jobSigningKey: Type.String({ description: "The server's job-signing Ed25519 public key, 32 bytes in base64url (JWK x): the agent pins it and runs only job manifests it signed" }),
          }),
        },
      },
    },
    async (request, reply) => {
      const { host, intervalSeconds } = await deps.controlPlane.enroll(request.body);
      request.log.info({ hostId: host.id, name: host.name, status: host.status }, 'agent enrolled');
      return reply.status(201).send({ hostId: host.id, status: host.status, quarantineReason: host.quarantineReason, intervalSeconds, jobSigningKey: deps.jobSigningKey.publicKey });
    },
  );

  app.post(
    '/api/v1/agent/checkin',
    {
      config: { auth: 'agent', rateLimit: agentRateLimit },
      schema: {
        summary: 'Check in: facts and the digest of the current inventory',
        body: Type.Object({ facts: AgentFactsSchema, inventoryDigest: Type.Union([Digest, Type.Null()]), attributes: Attributes }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            intervalSeconds: Type.Integer(),
            sendInventory: Type.Boolean(),
            heldAttributes: Type.Optional(Type.Array(Type.String(), { description: "attributes of the agent's configuration not applied: a person set them otherwise" })),
          }),
        },
      },
    },
    (request) => deps.controlPlane.checkin(agentOf(request.caller), request.body.facts, request.body.inventoryDigest, request.body.attributes),
  );

  app.put(
    '/api/v1/agent/inventory',
    {
      config: { auth: 'agent', rateLimit: agentRateLimit },
      bodyLimit: MAX_INVENTORY_BODY,
      schema: {
        summary: 'Upload the full inventory (Patchwise inventory JSON v1)',
        body: Type.Object({ digest: Digest, inventory: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            packages: Type.Integer(),
            changes: FindingChangesView,
            open: Priorities,
            uncovered: Type.Array(Type.String(), { description: 'ecosystems of its packages no advisory held covers: those packages were not assessed' }),
          }),
        },
      },
    },
    (request) => {
      const { inventory, digest } = request.body;
      // The reply waits for the upload's batch to be written; meanwhile the request must not keep
      // the parsed document (thousands of objects) alive: read into shared packages at once, it
      // is garbage from then on instead of being copied by every young-generation collection.
      request.body = undefined as never;
      return deps.controlPlane.putInventory(agentOf(request.caller), inventory, digest);
    },
  );
}
