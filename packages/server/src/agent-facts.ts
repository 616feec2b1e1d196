import { Type, type Static } from '@fastify/type-provider-typebox';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

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
