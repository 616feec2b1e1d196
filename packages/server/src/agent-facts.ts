import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
/**
 * `t` or null, as one schema with `nullable: true` (OpenAPI 3.0's keyword, which ajv reads as one
 * more allowed type). Not `anyOf: [t, null]`: the app validates with `coerceTypes`, which tries
 * the branches in order and turns a null into `0`, `false` or `""` for the first one, so an
 * unknown uptime or reboot state would be stored as a claim. A value already of an allowed type
 * is never coerced.
 */
const Nullable = <T extends TSchema>(t: T) => Type.Unsafe<Static<T> | null>({ ...t, nullable: true });

/** What an agent reports about its machine at enrollment and every check-in. */
export const AgentFactsSchema = Type.Object(
  {
    hostname: Text(253),
    machineId: Type.Optional(Nullable(Text(128))),
    os: Type.Optional(
      Nullable(
        Type.Object(
          {
            id: Text(64),
            versionId: Type.Optional(Nullable(Text(64))),
            prettyName: Type.Optional(Nullable(Text(256))),
            versionCodename: Type.Optional(Nullable(Text(64))),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    kernel: Type.Optional(Nullable(Text(256))),
    arch: Type.Optional(Nullable(Text(64))),
    uptimeSeconds: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    ips: Type.Optional(Nullable(Type.Array(Text(64), { maxItems: 256 }))),
    rebootRequired: Type.Optional(Nullable(Type.Boolean())),
    timezone: Type.Optional(Nullable(Text(64))),
    serial: Type.Optional(Nullable(Text(128))),
    agentVersion: Type.Optional(Nullable(Text(64))),
  },
  { additionalProperties: false },
);

export type AgentFacts = Static<typeof AgentFactsSchema>;
