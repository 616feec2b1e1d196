import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuditSigner, SlaPolicy } from '@patchwise/core';
import type { AgentlessHosts } from './agentless-hosts.js';
import type { ControlPlane } from './control-plane.js';
import type { RolloutRuntime } from './rollout/rollout-runtime.js';
import type { Database } from './database.js';
import type { JobSigningKey } from './job-signing-key.js';
import type { ConnectivityPolicy } from './views.js';

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface AppDeps {
  readonly db: Kysely<Database>;
  readonly controlPlane: ControlPlane;
  readonly clock: () => Date;
  readonly policy: ConnectivityPolicy;
  /** Where uploaded feed files are staged while they are imported. */
  readonly uploadDir: string;
  readonly ready: () => boolean;
  /** Signs audit checkpoints; its public half is what `audit verify` trusts. */
  readonly auditSigner: AuditSigner;
  /** Signs job manifests; its public half goes to every agent in the enrollment reply, to pin. */
  readonly jobSigningKey: JobSigningKey;
  /** Days to remediate by priority and tier; findings carry their due date from it. */
  readonly slaPolicy: SlaPolicy;
  /** The rollout engine, deployments and the agents' job endpoints. */
  readonly rollout: RolloutRuntime;
  /** Agentless hosts: registration, and scans over SSH with the server's client key. */
  readonly agentless: AgentlessHosts;
  readonly logger?: FastifyServerOptions['logger'];
  /**
   * The server's own log lines (stderr). Without a Fastify logger, a request that fails
   * unexpectedly (HTTP 500, `PW_INTERNAL`) is written here, stack and all: the client is told
   * to see the server log, so the server log must have it.
   */
  readonly log?: (line: string) => void;
  /** Enrollment attempts one address may make per minute (default ENROLLMENTS_PER_MINUTE). */
  readonly enrollmentsPerMinute?: number;
  /** Failed authentications one address may have per minute on person routes (default FAILED_AUTHENTICATIONS_PER_MINUTE). */
  readonly failedAuthenticationsPerMinute?: number;
}

export const MAX_JSON_BODY = 1024 * 1024;
export const MAX_INVENTORY_BODY = 32 * 1024 * 1024;
export const MAX_FEED_UPLOAD = 1024 * 1024 * 1024;
/**
 * A CMDB export: an import is stored whole as one value, so an unbounded one exhausts the
 * database's memory (PGlite ran out at 1.5 million rows of a 15 MB CSV, after 3 GB and minutes).
 * 32 MiB holds a wide export of a fleet of hundreds of thousands; MAX_CMDB_ASSETS bounds the rows.
 */
export const MAX_CMDB_UPLOAD = 32 * 1024 * 1024;
/** Assets one CMDB import may list (500,000 imported on PGlite in ~25 s). */
export const MAX_CMDB_ASSETS = 500_000;

/** Requests one agent may make per minute: a check-in, an upload and retries fit many times over. */
export const AGENT_REQUESTS_PER_MINUTE = 30;

/**
 * Enrollment attempts one client address may make per minute. Enrollment is public (the secret
 * is in the body), so this bounds guessing secrets; it is generous because a fleet behind one NAT
 * enrolls from one address, and an agent that is refused retries later. `--enroll-limit` changes it.
 */
export const ENROLLMENTS_PER_MINUTE = 120;

/**
 * Failed authentications (an API token or session cookie presented and refused) one client
 * address may have per minute on person routes before further failures are answered 429 instead
 * of 401. Valid credentials are never refused by this, so an attacker sharing an address with
 * real users cannot lock them out. `--auth-failure-limit` changes it.
 */
export const FAILED_AUTHENTICATIONS_PER_MINUTE = 30;

/** The window of every request limit, which the 429's message names. */
export const RATE_LIMIT_WINDOW = '1 minute';

/** Route config that limits each authenticated agent separately. */
export const agentRateLimit = {
  max: AGENT_REQUESTS_PER_MINUTE,
  timeWindow: RATE_LIMIT_WINDOW,
  // Agents counted per route in a least-recently-used map; at its default of 5,000 entries a fleet
  // of 10,000 agents pushed each one's count out before it could reach the limit.
  cache: 200_000,
  keyGenerator: (request: { caller?: { kind: string; hostId?: string }; ip: string }) => (request.caller?.kind === 'agent' ? `agent:${request.caller.hostId}` : `ip:${request.ip}`),
};
