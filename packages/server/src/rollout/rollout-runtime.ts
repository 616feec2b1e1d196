import type { JobManifest, SignedJobManifest } from '@patchwise/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { AgentJobs } from './agent-jobs.js';
import { DeploymentService } from './deployment-service.js';
import { RolloutEngine, type ScheduleSource } from './rollout-engine.js';

/** The rollout engine and the use cases around it, wired once per server process. */
export interface RolloutRuntime {
  readonly engine: RolloutEngine;
  readonly deployments: DeploymentService;
  readonly agentJobs: AgentJobs;
  readonly schedules: ScheduleSource;
}

export function createRollout(deps: { db: Kysely<Database>; clock: () => Date; sign: (m: JobManifest) => SignedJobManifest; schedules: ScheduleSource; dispatchTtlMs?: number }): RolloutRuntime {
  // The engine wakes the agents' long-polls; the callback runs only after both exist.
  const engine: RolloutEngine = new RolloutEngine({ ...deps, onDispatch: (hosts) => agentJobs.wake(hosts) });
  const agentJobs = new AgentJobs(deps.db, deps.clock, engine);
  return { engine, deployments: new DeploymentService(deps.db, deps.clock, engine, deps.schedules), agentJobs, schedules: deps.schedules };
}
