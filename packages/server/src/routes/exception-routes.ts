import { Type } from '@fastify/type-provider-typebox';
import { AuditStore, HostStore, MAX_EXCEPTION_DAYS, PatchwiseError, PolicyStore, exceptionActive, exceptionStatus, parseExceptionRequest, type AuditActor, type FindingException } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { personActor } from '../caller-actor.js';
import { tablesOf, type Database } from '../database.js';
import { callerScope, type HostScope } from '../host-scope.js';
import type { Kysely } from 'kysely';

const Text = Type.String();
const Nullable = Type.Union([Type.String(), Type.Null()]);
const Status = Type.Union([Type.Literal('requested'), Type.Literal('approved'), Type.Literal('expired'), Type.Literal('revoked'), Type.Literal('rejected')]);
const Person = Type.Object({ id: Text, name: Nullable });
const ExceptionView = Type.Object({
  id: Text,
  host: Nullable,
  /** The host's name, for people reading the register. */
  hostName: Nullable,
  group: Nullable,
  advisory: Nullable,
  package: Nullable,
  category: Text,
  reason: Text,
  owner: Text,
  expiresAt: Text,
  /** requested, approved, expired (an approved or requested one past its date), revoked or rejected. */
  state: Status,
  /** Approved and not expired at the time of the answer. */
  inForce: Type.Boolean(),
  requestedBy: Person,
  /** Who approved or rejected it. */
  decidedBy: Type.Union([Person, Type.Null()]),
  decidedAt: Nullable,
  revokedBy: Type.Union([Person, Type.Null()]),
  revokedAt: Nullable,
  comment: Nullable,
  createdAt: Text,
});

function exceptionView(e: FindingException, now: Date, hostName: string | null = null) {
  return {
    id: e.id,
    host: e.host ?? null,
    hostName,
    group: e.group ?? null,
    advisory: e.advisory ?? null,
    package: e.package ?? null,
    category: e.category,
    reason: e.reason,
    owner: e.owner,
    expiresAt: e.expiresAt.toISOString(),
    state: exceptionStatus(e, now),
    inForce: exceptionActive(e, now),
    requestedBy: e.requestedBy,
    decidedBy: e.decidedBy,
    decidedAt: e.decidedAt?.toISOString() ?? null,
    revokedBy: e.revokedBy,
    revokedAt: e.revokedAt?.toISOString() ?? null,
    comment: e.comment,
    createdAt: e.createdAt.toISOString(),
  };
}

const DECISIONS = { approve: 'approved', reject: 'rejected', revoke: 'revoked' } as const;

/**
 * Exceptions: a request names the scope, category, reason, owner and expiry; another person
 * approves or rejects it (never the requester); an approved one can be revoked. Findings it
 * covers leave compliance counts and overdue lists until it expires, then come back by themselves.
 */
export function exceptionRoutes(app: App, deps: AppDeps): void {
  const bodyFields = Type.Object(
    {
      host: Type.Optional(Type.String()),
      group: Type.Optional(Type.String()),
      advisory: Type.Optional(Type.String()),
      package: Type.Optional(Type.String()),
      category: Type.String(),
      reason: Type.String(),
      owner: Type.String(),
      expiresAt: Type.String(),
    },
    { additionalProperties: false },
  );

  app.post(
    '/api/v1/exceptions',
    { config: { auth: 'person', permission: 'exceptions.request' }, schema: { summary: 'Request an exception (it counts once someone else approves it)', body: bodyFields, response: { 201: ExceptionView } } },
    async (request, reply) => {
      const now = deps.clock();
      const parsed = parseExceptionRequest(request.body, now, 'exception');
      const actor = personActor(request);
      const scope = await callerScope(request, deps);
      const created = await deps.db.transaction().execute(async (trx) => {
        // A host is named by id or name and stored by id; a group must exist.
        let host = parsed.host;
        if (host !== undefined) {
          const hosts = new HostStore(tablesOf(trx), deps.clock);
          const found = /^[0-9a-f-]{36}$/.test(host) ? await hosts.get(host) : undefined;
          const named = (found ? [found] : await hosts.list({ name: host })).filter((h) => scope.allows(h));
          if (named.length !== 1) throw new PatchwiseError(named.length ? 'PW_CONFLICT' : 'PW_NOT_FOUND', named.length ? `several hosts are named ${host}; use the id` : `no host ${host}`);
          host = named[0]!.id;
        } else if (!scope.allowsTarget({ group: parsed.group })) {
          throw new PatchwiseError('PW_FORBIDDEN', `group ${parsed.group ?? ''} is outside the scope of ${actor.name ?? actor.id}'s exceptions.request`);
        }
        const policy = new PolicyStore(tablesOf(trx), deps.clock);
        if (parsed.group !== undefined) await policy.requireGroup(parsed.group);
        const e = await policy.requestException({ ...parsed, host }, { id: actor.id, name: actor.name ?? null });
        await audit(trx, actor, 'exception.request', e);
        return e;
      });
      return reply.status(201).send(exceptionView(created, now));
    },
  );

  app.get(
    '/api/v1/exceptions',
    {
      config: { auth: 'person', permission: 'exceptions.read' },
      schema: {
        summary: 'The exception register: scope, category, owner, requester, approver, expiry and state, oldest first',
        querystring: Type.Object(
          {
            state: Type.Optional(Status),
            expiringWithinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_EXCEPTION_DAYS, description: 'only requested or approved ones not yet expired whose expiry falls within this many days' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ exceptions: Type.Array(ExceptionView) }) },
      },
    },
    async (request) => {
      const now = deps.clock();
      const { state, expiringWithinDays } = request.query;
      const horizon = expiringWithinDays === undefined ? undefined : now.getTime() + expiringWithinDays * 86_400_000;
      const list = (await new PolicyStore(tablesOf(deps.db), deps.clock).exceptions()).filter((e) => {
        const status = exceptionStatus(e, now);
        if (state !== undefined && status !== state) return false;
        return horizon === undefined || ((status === 'approved' || status === 'requested') && e.expiresAt.getTime() <= horizon);
      });
      const visible = await inScope(await callerScope(request, deps), list);
      const names = await new HostStore(tablesOf(deps.db), deps.clock).labelsOf([...new Set(visible.flatMap((e) => (e.host ? [e.host] : [])))]);
      return { exceptions: visible.map((e) => exceptionView(e, now, e.host ? (names.get(e.host)?.name ?? null) : null)) };
    },
  );

  app.post(
    '/api/v1/exceptions/:id/:decision',
    {
      config: { auth: 'person', permission: 'exceptions.approve' },
      schema: {
        summary: 'approve or reject a requested exception (not your own), or revoke an approved one',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), decision: Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('revoke')]) }),
        body: Type.Object({ comment: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) }, { additionalProperties: false }),
        response: { 200: ExceptionView },
      },
    },
    async (request) => {
      const { id, decision } = request.params;
      const actor = personActor(request);
      const now = deps.clock();
      const scope = await callerScope(request, deps);
      const decided = await deps.db.transaction().execute(async (trx) => {
        const policy = new PolicyStore(tablesOf(trx), deps.clock);
        const e = await policy.lockException(id);
        // Outside the approver's scope, an exception answers like an unknown one.
        if ((await inScope(scope, [e], trx)).length === 0) throw new PatchwiseError('PW_NOT_FOUND', `no exception ${id}`);
        if (decision === 'revoke' ? e.state !== 'approved' : e.state !== 'requested') {
          throw new PatchwiseError('PW_CONFLICT', `exception ${id} is ${e.state}; only ${decision === 'revoke' ? 'an approved one can be revoked' : 'a requested one can be decided'}`);
        }
        // Two people: whoever asked for the exception cannot also grant it.
        if (decision !== 'revoke' && e.requestedBy.id === actor.id) throw new PatchwiseError('PW_FORBIDDEN', 'the requester of an exception cannot approve or reject it; another person must decide');
        if (decision === 'approve' && !exceptionActive({ state: 'approved', expiresAt: e.expiresAt }, now)) throw new PatchwiseError('PW_CONFLICT', `exception ${id} expired on ${e.expiresAt.toISOString()}; request a new one`);
        const after = await policy.decideException(id, DECISIONS[decision], { id: actor.id, name: actor.name ?? null }, request.body.comment ?? null);
        await audit(trx, actor, `exception.${decision}`, after);
        return after;
      });
      return exceptionView(decided, now);
    },
  );

  /** The exceptions whose host or group lies in the caller's scope. */
  async function inScope(scope: HostScope, list: readonly FindingException[], db: Kysely<Database> = deps.db): Promise<FindingException[]> {
    if (scope.unlimited) return [...list];
    // By id, retired hosts included: an exception on a host that left the fleet stays in the register.
    const hosts = await new HostStore(tablesOf(db), deps.clock).byIds([...new Set(list.flatMap((e) => (e.host !== undefined ? [e.host] : [])))]);
    return list.filter((e) => scope.allowsTarget(e.host !== undefined ? { host: hosts.get(e.host) } : { group: e.group }));
  }

  async function audit(trx: Kysely<Database>, actor: AuditActor, action: string, e: FindingException): Promise<void> {
    const scope = { host: e.host ?? null, group: e.group ?? null, advisory: e.advisory ?? null, package: e.package ?? null };
    await new AuditStore(tablesOf(trx), deps.clock).append({
      actor,
      action,
      target: { kind: 'exception', id: e.id },
      details: { ...scope, category: e.category, owner: e.owner, expiresAt: e.expiresAt.toISOString(), state: e.state, ...(e.comment ? { comment: e.comment } : {}) },
    });
  }
}
