/**
 * @patchwise/agent: runs on a managed host (or against a mounted filesystem), collects its facts
 * and packages, and reports them as a Patchwise inventory document; executes the jobs of rollouts
 * on it (package drivers, health checks, exact rollback); or, for a host that cannot run it, does
 * the same from the server over SSH (agentless mode).
 */
export * from './collect/index.js';
export * from './run/index.js';
export * from './execute/index.js';
