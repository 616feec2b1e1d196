/**
 * Access: who may call the API. API tokens and enrollment secrets (stored hashed), agent
 * identities (Ed25519 keys pinned at enrollment) and signed agent requests with replay
 * protection. People, roles and scopes come with governance.
 */
export { AccessStore } from './access-store.js';
export type { ApiTokenIdentity, EnrollTokenInfo, EnrollTokenOptions, TokenRole } from './access-store.js';
export type { AccessTables } from './tables.js';
export { AgentAuthenticator, MAX_CLOCK_SKEW_MS } from './agent-authenticator.js';
export type { AgentRequest } from './agent-authenticator.js';
export {
  AGENT_HEADERS,
  bodyDigest,
  generateAgentKeyPair,
  parsePublicKey,
  publicKeyOf,
  signRequest,
  signingText,
  verifyRequestSignature,
} from './request-signature.js';
export type { AgentKeyPair, SignedParts } from './request-signature.js';
export { hashSecret, newSecret } from './secrets.js';
