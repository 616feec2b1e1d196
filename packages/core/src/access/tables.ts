import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

/** Tables written only by the access module. */
export interface AccessTables {
  access_tokens: {
    id: string;
    name: string;
    token_hash: string;
    user_id: string;
    /** JSON array of permission names the token is narrowed to; null: all of its user's. */
    permissions: ColumnType<string[] | null, string | null, string | null>;
    created_at: Timestamp;
    expires_at: Timestamp | null;
    revoked_at: Timestamp | null;
    last_used_at: Timestamp | null;
  };
  access_users: {
    id: string;
    name: string;
    password_hash: string | null;
    password_changed_at: Timestamp | null;
    disabled_at: Timestamp | null;
    failed_logins: Generated<number>;
    locked_until: Timestamp | null;
    created_at: Timestamp;
  };
  access_roles: {
    name: string;
    description: string;
    permissions: ColumnType<string[], string, string>;
    created_at: Timestamp;
  };
  access_role_bindings: {
    id: string;
    user_id: string;
    role: string;
    scope: ColumnType<{ groups: string[]; environments: string[] } | null, string | null, string | null>;
    created_at: Timestamp;
  };
  access_sessions: {
    id: string;
    secret_hash: string;
    user_id: string;
    created_at: Timestamp;
    expires_at: Timestamp;
    idle_expires_at: Timestamp;
    revoked_at: Timestamp | null;
  };
  access_enroll_tokens: {
    id: string;
    secret_hash: string;
    created_at: Timestamp;
    expires_at: Timestamp | null;
    max_uses: number | null;
    uses: Generated<number>;
    attributes: ColumnType<Record<string, unknown>, string, string>;
    revoked_at: Timestamp | null;
  };
  access_agents: {
    host_id: string;
    public_key: string;
    enroll_token_id: string | null;
    created_at: Timestamp;
  };
  access_nonces: {
    host_id: string;
    nonce: string;
    expires_at: Timestamp;
  };
  access_signing_keys: {
    /** SHA-256 (hex) of the raw public key. */
    key_id: string;
    user_id: string;
    /** 32-byte raw Ed25519 public key, base64url. */
    public_key: string;
    name: string;
    created_at: Timestamp;
    revoked_at: Timestamp | null;
  };
}
