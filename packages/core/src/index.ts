/**
 * @patchwise/core: the domain modules. Each module's index.ts is its only public door; this
 * file gathers them for the programs (CLI, server, agent).
 */
export * from './assessment.js';
export * from './db/index.js';
export * from './dir-lock/index.js';
export * from './directories/index.js';
export * from './batching/index.js';
export * from './access/index.js';
export * from './hosts/index.js';
export * from './findings/index.js';
export * from './feeds/index.js';
export * from './eol/index.js';
export * from './cmdb/index.js';
export * from './reports/index.js';
export * from './audit/index.js';
export * from './policy/index.js';
export * from './approvals/index.js';
export * from './policy-document/index.js';
export * from './patchsets/index.js';
export * from './rollout/index.js';
export * from './maintenance/index.js';
