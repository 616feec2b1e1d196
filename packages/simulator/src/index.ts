/**
 * @patchwise/simulator: synthetic fleets from the real feeds, and simulated agents that drive a
 * Patchwise server through its real HTTP API with real signatures (`patchwise simulate`, bench/).
 */
export { ALMA_FEED, PYPI_FEED, SyntheticFleet } from './fleet/synthetic-fleet.js';
export type { FleetHost, FleetImage, FleetPackage, FleetSlot, SyntheticFleetOptions } from './fleet/synthetic-fleet.js';
export type { Evr } from './fleet/feed-versions.js';
export { seededRandom } from './fleet/seeded-random.js';
export { SIMULATION_LIMITS, Simulation, checkSimulationTarget, simulateFleet } from './simulate/simulate-fleet.js';
export type { Loop, PhaseName, PhaseReport, SimulationOptions, SimulationReport } from './simulate/simulate-fleet.js';
export { OPERATIONS } from './simulate/operation-stats.js';
export type { Operation, OperationSummary } from './simulate/operation-stats.js';
