/**
 * @patchwise/agent: runs on a managed host (or against a mounted filesystem), collects its facts
 * and packages, and reports them as a Patchwise inventory document.
 */
export * from './collect/index.js';
export * from './run/index.js';
