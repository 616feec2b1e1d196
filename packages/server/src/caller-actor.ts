import { PatchwiseError, type AuditActor } from '@patchwise/core';
import type { FastifyRequest } from 'fastify';

/** The audit actor of an admin request: the API token that authenticated it. */
export function adminActor(request: FastifyRequest): AuditActor {
  const caller = request.caller;
  if (caller?.kind !== 'admin') throw new PatchwiseError('PW_UNAUTHENTICATED', 'not an admin request');
  return { kind: 'token', id: caller.tokenId, name: caller.tokenName };
}
