/**
 * @patchwise/agent: runs on a managed host (or against a mounted filesystem), collects its facts
 * and packages, and reports them as a Patchwise inventory document; and executes the jobs of
 * rollouts on it (package drivers, health checks, exact rollback).
 */
export * from './collect/index.js';
export * from './run/index.js';
export * from './execute/index.js';
