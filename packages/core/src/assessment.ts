/**
 * @patchwise/core/assessment: the modules that assess inventories against advisories, without
 * the control plane's stores. `patchwise scan` imports only these, so that it does not load the
 * database drivers and query builder at start-up (most of a second on every scan, issue 2).
 */
export * from './errors/index.js';
export * from './text/index.js';
export * from './versions/index.js';
export * from './input/index.js';
export * from './cvss/index.js';
export * from './advisories/index.js';
export * from './enrichment/index.js';
export * from './inventory/index.js';
export * from './matching/index.js';
export * from './risk/index.js';
export * from './scan/index.js';
