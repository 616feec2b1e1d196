import { Type, type TSchema } from '@fastify/type-provider-typebox';

/**
 * A property with a default: optional to clients, so OpenAPI does not list it as required, yet
 * typed as always present, because the validator fills the default in (Ajv's `useDefaults`, set
 * in app.ts) before any handler reads it. A TypeBox property with a default but not Optional is
 * put in the object's `required`, which told clients to send what the server never needed.
 */
export function defaulted<T extends TSchema>(schema: T): T {
  if ((schema as { default?: unknown }).default === undefined) throw new Error('defaulted: the schema has no default');
  return Type.Optional(schema);
}
