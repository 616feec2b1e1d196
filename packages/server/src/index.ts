/** @patchwise/server: the control plane's HTTP API and its composition root. */
export { startServer } from './start-server.js';
export type { RunningServer, StartOptions } from './start-server.js';
export { parseServerConfig, parseDuration } from './server-config.js';
export type { ServerConfig, ServerConfigInput } from './server-config.js';
export { buildApp } from './app.js';
export type { App, AppDeps } from './app-types.js';
export { MAX_CMDB_ASSETS, MAX_CMDB_UPLOAD } from './app-types.js';
export { ADMIN_TOKEN_FILE } from './admin-token.js';
export { JOB_SIGNING_KEY_FILE, ensureJobSigningKey, jobSigningKeyOf } from './job-signing-key.js';
export type { JobSigningKey } from './job-signing-key.js';
export { AgentFactsSchema } from './agent-facts.js';
export type { AgentFacts } from './agent-facts.js';
export { loadFeedSources } from './load-feed-sources.js';
export { loadSlaPolicy } from './read-config-file.js';
