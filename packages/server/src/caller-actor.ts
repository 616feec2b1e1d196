import { PatchwiseError, type AuditActor } from '@patchwise/core';
import type { FastifyRequest } from 'fastify';
import type { PersonCaller } from './route-auth.js';

/** The signed-in person behind a `person` route. */
export function personOf(request: FastifyRequest): PersonCaller {
  const caller = request.caller;
  if (caller?.kind !== 'person') throw new PatchwiseError('PW_UNAUTHENTICATED', 'not a signed-in request');
  return caller;
}

/** The audit actor of a person's request: the user, and the token or session they used. */
export function personActor(request: FastifyRequest): AuditActor {
  const caller = personOf(request);
  return { kind: 'user', id: caller.userId, name: caller.userName, via: `${caller.via.kind}:${caller.via.id}` };
}

/** The host id of a signed agent request. */
export function agentOf(caller: { kind: string; hostId?: string } | undefined): string {
  if (caller?.kind !== 'agent' || !caller.hostId) throw new PatchwiseError('PW_UNAUTHENTICATED', 'not an agent request');
  return caller.hostId;
}
