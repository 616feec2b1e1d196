import type { KeyObject } from 'node:crypto';
import { signJobManifest, type SlaPolicy } from '@patchwise/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { AgentJobs } from './agent-jobs.js';
import { DeploymentService } from './deployment-service.js';
import { MaintenanceSchedules } from './maintenance-schedules.js';
import { RolloutEngine, type ScheduleSource } from './rollout-engine.js';

/** The rollout engine and the use cases around it, wired once per server process. */
export interface RolloutRuntime {
  readonly engine: RolloutEngine;
  readonly deployments: DeploymentService;
  readonly agentJobs: AgentJobs;
  readonly schedules: ScheduleSource;
}

/** `signingKey`: the private half of the job-signing key agents pinned at enrollment. */
export function createRollout(deps: { db: Kysely<Database>; clock: () => Date; signingKey: KeyObject; defaultSla: SlaPolicy; dispatchTtlMs?: number }): RolloutRuntime {
  const schedules = new MaintenanceSchedules(deps.clock);
  // The engine wakes the agents' long-polls; the callback runs only after both exist.
  const engine: RolloutEngine = new RolloutEngine({ ...deps, schedules, sign: (m) => signJobManifest(m, deps.signingKey), onDispatch: (hosts) => agentJobs.wake(hosts) });
  const agentJobs = new AgentJobs(deps.db, deps.clock, engine);
  return { engine, deployments: new DeploymentService(deps.db, deps.clock, engine, schedules, deps.defaultSla), agentJobs, schedules };
}
