import { PatchwiseError } from '@patchwise/core';
import type { ScheduleSource } from './rollout-engine.js';

/**
 * The schedule of deployments that name no maintenance window: a host may start at any time
 * (the manifest still expires after the dispatch TTL). Naming windows needs the maintenance
 * module's schedule source.
 */
export const ALWAYS_OPEN: ScheduleSource = {
  forDeployment: (_db, deployment) => {
    if (deployment.windows.length > 0) throw new PatchwiseError('PW_INPUT_INVALID', `windows: ${deployment.windows.join(', ')}: maintenance windows are not configured on this server`);
    return Promise.resolve({
      canStart: (_hostId: string, now: Date) => ({ canStart: true as const, closesAt: new Date(now.getTime() + 366 * 86400_000) }),
      nextStart: (_hostId: string, after: Date) => after,
    });
  },
};
