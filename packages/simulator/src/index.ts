/**
 * @patchwise/simulator: synthetic fleets from the real feeds, and simulated agents that drive a
 * Patchwise server through its real HTTP API with real signatures (`patchwise simulate`, bench/).
 */
export { ALMA_FEED, PYPI_FEED, SyntheticFleet } from './fleet/synthetic-fleet.js';
export type { FleetHost, FleetImage, FleetPackage, FleetSlot, SyntheticFleetOptions } from './fleet/synthetic-fleet.js';
export type { Evr } from './fleet/feed-versions.js';
export { upgradeTargets } from './fleet/upgrade-targets.js';
export type { UpgradeTarget } from './fleet/upgrade-targets.js';
export { SimulatedAgent } from './simulate/simulated-agent.js';
export { seededRandom } from './fleet/seeded-random.js';
export { SIMULATION_LIMITS, Simulation, checkSimulationTarget, simulateFleet } from './simulate/simulate-fleet.js';
export type { Loop, PhaseName, PhaseReport, SimulationOptions, SimulationReport } from './simulate/simulate-fleet.js';
export { JOB_OPERATIONS, JobPoller, jobReport } from './simulate/job-poller.js';
export type { JobArrival, JobOperation, JobPollerOptions } from './simulate/job-poller.js';
export { OPERATIONS, OperationStats } from './simulate/operation-stats.js';
export type { Operation, OperationSummary } from './simulate/operation-stats.js';
