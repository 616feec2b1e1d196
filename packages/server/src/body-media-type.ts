import { PatchwiseError } from '@patchwise/core';
import type { FastifyRequest } from 'fastify';

/** What a route takes its body as when its schema names nothing else (OpenAPI's `consumes`). */
const DEFAULT_MEDIA_TYPES: readonly string[] = ['application/json'];

/**
 * Refuses a request body in a media type the route does not take (415), before any parser reads
 * it. Without this, Fastify's built-in text/plain parser handed JSON routes a string, refused as
 * "body must be object", and the raw-bytes parser handed them a Buffer; the caller learns nothing
 * about what to send. Requests without a body are left alone: they have nothing to misname.
 */
export function checkBodyMediaType(request: FastifyRequest): void {
  const { headers } = request;
  const length = headers['content-length'];
  const hasBody = headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return;
  const accepted = request.routeOptions.schema?.consumes ?? DEFAULT_MEDIA_TYPES;
  const header = headers['content-type'];
  const sent = header?.split(';')[0]?.trim().toLowerCase();
  if (sent && accepted.includes(sent)) return;
  const wanted = accepted.join(' or ');
  throw new PatchwiseError('PW_MEDIA_TYPE_UNSUPPORTED', sent ? `content-type ${sent} is not accepted here; send ${wanted}` : `the request body has no content-type; send ${wanted}`);
}
