/**
 * The agent's run loop: identity, enrollment (pinning the server's job-signing key), signed
 * check-ins and inventory uploads; and the gate job manifests pass before they run.
 */
export { AGENT_EXIT, AGENT_LOCK_FILE, keepsState, runAgent } from './run-agent.js';
export type { RunAgentOptions } from './run-agent.js';
export { AgentState } from './agent-state.js';
export type { AgentIdentity } from './agent-state.js';
export { AgentClient } from './agent-client.js';
export type { CheckinReply, EnrollReply, HttpTransport, InventoryReply, Signer } from './agent-client.js';
export { toWireFacts } from './wire-facts.js';
export type { WireFacts } from './wire-facts.js';
export { FileReplayGuard, REPLAY_MARGIN_MS } from './file-replay-guard.js';
export { ACCEPTED_JOBS_DIR, JobManifestGate } from './job-manifest-gate.js';
export { JobRunner } from './job-runner.js';
export { PendingReboots } from './pending-reboots.js';
export type { JobRunnerDeps } from './job-runner.js';
export { NO_APPROVERS, parseApproverPins, sameApproverPins } from './approver-pins.js';
export type { ApproverPins } from './approver-pins.js';
