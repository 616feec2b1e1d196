/**
 * Access: who may call the API and what they may do. People (users with scrypt passwords,
 * lock-out, web sessions), roles (built-in and custom) bound fleet-wide or to host groups and
 * environments, API tokens of a user (stored hashed, optionally narrowed), enrollment secrets,
 * agent identities (Ed25519 keys pinned at enrollment) and signed agent requests with replay
 * protection.
 */
export { AccessStore } from './access-store.js';
export type { ApiTokenIdentity, ApiTokenInfo, EnrollTokenInfo, EnrollTokenOptions } from './access-store.js';
export { Grants } from './grants.js';
export type { BindingScope, Grant, RoleBinding } from './grants.js';
export { checkPasswordStrength, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
export { ALL_PERMISSIONS, BUILTIN_ROLES, PERMISSIONS, isHostScoped, isPermission } from './permissions.js';
export type { Permission } from './permissions.js';
export { DEFAULT_PEOPLE_POLICY, UserStore } from './user-store.js';
export type { LoginResult, PeoplePolicy, RoleInfo, UserInfo } from './user-store.js';
export type { AccessTables } from './tables.js';
export { AgentAuthenticator, MAX_CLOCK_SKEW_MS } from './agent-authenticator.js';
export type { AgentRequest } from './agent-authenticator.js';
export {
  AGENT_HEADERS,
  bodyDigest,
  generateAgentKeyPair,
  newEd25519PrivateKey,
  parsePublicKey,
  publicKeyOf,
  signRequest,
  signingText,
  verifyRequestSignature,
} from './request-signature.js';
export type { AgentKeyPair, SignedParts } from './request-signature.js';
export { hashSecret, newSecret } from './secrets.js';
export { SigningKeyStore } from './signing-key-store.js';
export type { SigningKeyInfo } from './signing-key-store.js';
