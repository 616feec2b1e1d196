import { Type } from '@fastify/type-provider-typebox';
import type { JobReport } from '@patchwise/core';
import { MAX_INVENTORY_BODY, agentRateLimit, type App, type AppDeps } from '../app-types.js';
import { agentOf } from '../caller-actor.js';

const Text = Type.String();
const Nullable = Type.Union([Type.String(), Type.Null()]);
const Version = Type.Object({ name: Type.String({ minLength: 1, maxLength: 512 }), version: Type.Union([Type.String({ maxLength: 512 }), Type.Null()]) });
const Command = Type.Object({
  step: Text,
  argv: Type.Array(Text),
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  signal: Nullable,
  stdout: Text,
  stderr: Text,
  startedAt: Text,
  durationMs: Type.Number({ minimum: 0 }),
});
const Report = Type.Object({
  jobId: Type.String({ format: 'uuid' }),
  idempotencyKey: Type.String({ minLength: 1, maxLength: 300 }),
  outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('rolled-back')]),
  previous: Type.Array(Version, { maxItems: 10_000 }),
  after: Type.Array(Version, { maxItems: 10_000 }),
  rebootRequired: Type.Boolean(),
  rebooted: Type.Boolean(),
  bootId: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  back: Type.Optional(Type.Object({ bootId: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]), at: Text })),
  failure: Type.Union([Type.Object({ step: Text, message: Text }), Type.Null()]),
  rollbackFailed: Type.Boolean(),
  commands: Type.Array(Command, { maxItems: 1000 }),
  startedAt: Text,
  finishedAt: Text,
});

/** Jobs for agents: fetch the signed manifests waiting for this host (long-poll), report outcomes. */
export function agentJobRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/api/v1/agent/jobs',
    {
      config: { auth: 'agent', rateLimit: agentRateLimit },
      schema: {
        summary: 'The signed job manifests waiting for this host; waits up to waitSeconds for one to be dispatched',
        body: Type.Object({ waitSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ jobs: Type.Array(Type.Object({ payload: Text, signature: Text, keyId: Text })) }) },
      },
    },
    async (request, reply) => {
      const abort = new AbortController();
      // The response's close, not the request's: the request's stream closes as soon as its body
      // has been read, before this handler runs, so it never told a long-poll its agent had gone.
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      return { jobs: await deps.rollout.agentJobs.fetch(agentOf(request.caller), (request.body.waitSeconds ?? 0) * 1000, abort.signal) };
    },
  );

  app.post(
    '/api/v1/agent/jobs/report',
    {
      config: { auth: 'agent', rateLimit: agentRateLimit },
      // Command output is kept with the job; a report carries at most 64 KiB per stream per command.
      bodyLimit: MAX_INVENTORY_BODY,
      schema: { summary: "A job's outcome and every command it ran (sent until acknowledged; a repeat changes nothing)", body: Type.Object({ report: Report }, { additionalProperties: false }), response: { 200: Type.Object({ recorded: Type.Boolean() }) } },
    },
    (request) => deps.rollout.agentJobs.report(agentOf(request.caller), request.body.report as JobReport),
  );
}
