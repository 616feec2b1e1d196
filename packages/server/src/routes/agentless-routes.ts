import { Type, type Static } from '@fastify/type-provider-typebox';
import type { App, AppDeps } from '../app-types.js';
import type { AgentlessHostEntry } from '../agentless-hosts.js';
import { personActor } from '../caller-actor.js';
import { callerScope } from '../host-scope.js';
import { AttributesView, FindingChangesView, Priorities, connectivityOf, type ConnectivityPolicy } from '../views.js';

const HostId = Type.Object({ id: Type.String({ format: 'uuid' }) });
const NullableStr = Type.Union([Type.String(), Type.Null()]);

export const AgentlessHostView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  address: Type.String(),
  port: Type.Integer(),
  user: Type.String(),
  hostKeySha256: Type.String(),
  attributes: AttributesView,
  status: Type.Union([Type.Literal('active'), Type.Literal('quarantined'), Type.Literal('retired')]),
  connectivity: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('stale'), Type.Literal('never')]),
  createdAt: Type.String(),
  lastScanAt: NullableStr,
  /** Null when the last scan succeeded (or none ran yet). */
  lastScanCode: NullableStr,
  lastScanError: NullableStr,
  /** What the last scan succeeded without (facts it could not read, reported as unknown); empty otherwise. */
  lastScanWarnings: Type.Array(Type.String()),
  inventoryAt: NullableStr,
});
type AgentlessHostView = Static<typeof AgentlessHostView>;

/**
 * Agentless hosts: registered with an SSH target and a pinned host key instead of enrolling an
 * agent, scanned over SSH on request. Registering and removing are platform-wide (a new host has
 * no scope yet); listing and scanning are about hosts, so a scoped caller reaches only its own.
 */
export function agentlessRoutes(app: App, deps: AppDeps): void {
  app.get(
    '/api/v1/agentless/public-key',
    {
      config: { auth: 'person', permission: 'agentless.write' },
      schema: { summary: "The server's SSH public key, for each agentless host's authorized_keys", response: { 200: Type.Object({ publicKey: Type.String() }) } },
    },
    () => ({ publicKey: deps.agentless.publicKey }),
  );

  app.post(
    '/api/v1/agentless/hosts',
    {
      config: { auth: 'person', permission: 'agentless.write' },
      schema: {
        summary: 'Register a host reached over SSH, with its pinned host key fingerprint',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 253, pattern: '^\\S+$' }),
            address: Type.String({ minLength: 1, maxLength: 255 }),
            port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
            user: Type.String({ minLength: 1, maxLength: 32 }),
            hostKeySha256: Type.String({ minLength: 1, maxLength: 1024, description: 'SHA256:… as ssh-keygen -lf prints it (the whole line is accepted)' }),
            attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { additionalProperties: false },
        ),
        response: { 201: AgentlessHostView },
      },
    },
    async (request, reply) => {
      const entry = await deps.agentless.register(request.body, personActor(request));
      return reply.status(201).send(agentlessView(entry, deps.clock(), deps.policy));
    },
  );

  app.get(
    '/api/v1/agentless/hosts',
    {
      config: { auth: 'person', permission: 'hosts.read' },
      schema: { summary: 'Agentless hosts, with how their last scan went', response: { 200: Type.Object({ hosts: Type.Array(AgentlessHostView) }) } },
    },
    async (request) => {
      const scope = await callerScope(request, deps);
      const now = deps.clock();
      return { hosts: (await deps.agentless.list((h) => scope.allows(h))).map((e) => agentlessView(e, now, deps.policy)) };
    },
  );

  app.delete(
    '/api/v1/agentless/hosts/:id',
    {
      config: { auth: 'person', permission: 'agentless.write' },
      schema: { summary: 'Forget how to reach an agentless host (the host and its history stay)', params: HostId, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await deps.agentless.remove(request.params.id, personActor(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/agentless/hosts/:id/scan',
    {
      config: { auth: 'person', permission: 'hosts.write' },
      schema: {
        summary: 'Connect over SSH, collect the inventory and assess it as an agent upload',
        params: HostId,
        response: {
          200: Type.Object({
            hostId: Type.String(),
            stored: Type.Boolean(),
            packages: Type.Integer(),
            changes: Type.Union([FindingChangesView, Type.Null()]),
            open: Type.Union([Priorities, Type.Null()]),
            warnings: Type.Array(Type.String()),
            commands: Type.Integer(),
            durationMs: Type.Integer(),
          }),
        },
      },
    },
    async (request) => {
      // Out of scope answers like unknown, before anything connects anywhere.
      const { host } = await deps.agentless.get(request.params.id);
      (await callerScope(request, deps)).requireHost(host);
      return deps.agentless.scan(host.id, personActor(request));
    },
  );
}

function agentlessView({ host, agentless }: AgentlessHostEntry, now: Date, policy: ConnectivityPolicy): AgentlessHostView {
  return {
    id: host.id,
    name: host.name,
    address: agentless.address,
    port: agentless.port,
    user: agentless.user,
    hostKeySha256: agentless.hostKeySha256,
    attributes: { ...host.attributes, tags: [...host.attributes.tags] },
    status: host.status,
    connectivity: connectivityOf(host.lastSeenAt, now, policy),
    createdAt: agentless.createdAt.toISOString(),
    lastScanAt: agentless.lastScanAt?.toISOString() ?? null,
    lastScanCode: agentless.lastScanCode,
    lastScanError: agentless.lastScanError,
    lastScanWarnings: [...agentless.lastScanWarnings],
    inventoryAt: host.inventoryAt?.toISOString() ?? null,
  };
}
