import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

/** Tables written only by the access module. */
export interface AccessTables {
  access_tokens: {
    id: string;
    name: string;
    token_hash: string;
    role: string;
    created_at: Timestamp;
    expires_at: Timestamp | null;
    revoked_at: Timestamp | null;
    last_used_at: Timestamp | null;
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
}
