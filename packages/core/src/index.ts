/**
 * @patchwise/core: the domain modules. Each module's index.ts is its only public door; this
 * file gathers them for the programs (CLI, server, agent).
 */
export * from './errors/index.js';
export * from './versions/index.js';
export * from './input/index.js';
export * from './cvss/index.js';
export * from './advisories/index.js';
export * from './enrichment/index.js';
export * from './inventory/index.js';
export * from './matching/index.js';
export * from './risk/index.js';
export * from './scan/index.js';
export * from './db/index.js';
export * from './access/index.js';
export * from './hosts/index.js';
export * from './findings/index.js';
export * from './feeds/index.js';
export * from './eol/index.js';
export * from './cmdb/index.js';
export * from './reports/index.js';
export * from './audit/index.js';
export * from './policy/index.js';
