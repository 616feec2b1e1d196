import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import { hashSecret, newSecret } from './secrets.js';
import type { AccessTables } from './tables.js';

/** Who an API token speaks for: its user, narrowed to `permissions` when the token lists some. */
export interface ApiTokenIdentity {
  readonly id: string;
  readonly name: string;
  readonly userId: string;
  readonly permissions: readonly string[] | null;
}

export interface ApiTokenInfo extends ApiTokenIdentity {
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export interface EnrollTokenOptions {
  readonly expiresAt?: Date | undefined;
  readonly maxUses?: number | undefined;
  /** Host attributes every host enrolled with this token starts with (validated by the caller). */
  readonly attributes?: Record<string, unknown> | undefined;
}

export interface EnrollTokenInfo {
  readonly id: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly maxUses: number | null;
  readonly uses: number;
  readonly attributes: Record<string, unknown>;
  readonly revoked: boolean;
  readonly revokedAt: Date | null;
  /** Whether an agent could enroll with it now, else why not (revoked first, then expired, then used up). */
  readonly state: 'usable' | 'revoked' | 'expired' | 'used-up';
}

/**
 * Credentials at rest: API tokens and enrollment secrets are stored as SHA-256 digests only,
 * agent identities as Ed25519 public keys, and agent request nonces until they expire.
 */
export class AccessStore {
  constructor(
    private readonly db: Kysely<AccessTables>,
    private readonly clock: () => Date,
  ) {}

  /** A token for a user, optionally narrowed to some permissions (checked by the caller). */
  async createApiToken(name: string, userId: string, options: { permissions?: readonly string[] | undefined; expiresAt?: Date | undefined } = {}): Promise<{ id: string; token: string }> {
    const token = newSecret('api-token');
    const id = randomUUID();
    await this.db
      .insertInto('access_tokens')
      .values({
        id,
        name,
        token_hash: hashSecret(token),
        user_id: userId,
        permissions: options.permissions ? JSON.stringify([...new Set(options.permissions)].sort()) : null,
        created_at: this.clock(),
        expires_at: options.expiresAt ?? null,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    return { id, token };
  }

  /** API tokens for the register, of one user or everyone: never the secret (only its hash is held). */
  async listApiTokens(userId?: string): Promise<ApiTokenInfo[]> {
    let q = this.db.selectFrom('access_tokens').select(['id', 'name', 'user_id', 'permissions', 'created_at', 'expires_at', 'revoked_at', 'last_used_at']);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const rows = await q.orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, userId: r.user_id, permissions: r.permissions, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at }));
  }

  async apiToken(id: string): Promise<ApiTokenInfo | undefined> {
    const row = await this.db.selectFrom('access_tokens').select(['id', 'name', 'user_id', 'permissions', 'created_at', 'expires_at', 'revoked_at', 'last_used_at']).where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, name: row.name, userId: row.user_id, permissions: row.permissions, createdAt: row.created_at, expiresAt: row.expires_at, revokedAt: row.revoked_at, lastUsedAt: row.last_used_at };
  }

  /** Revokes an API token from now on; PW_NOT_FOUND for an unknown id, PW_CONFLICT when already revoked. */
  async revokeApiToken(id: string): Promise<void> {
    const row = await this.db.selectFrom('access_tokens').select('revoked_at').where('id', '=', id).executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no API token ${id}`);
    if (row.revoked_at) throw new PatchwiseError('PW_CONFLICT', `API token ${id} is revoked already`);
    await this.db.updateTable('access_tokens').set({ revoked_at: this.clock() }).where('id', '=', id).execute();
  }

  /** The identity behind a bearer token, or PW_UNAUTHENTICATED (unknown, revoked or expired). */
  async authenticateToken(token: string): Promise<ApiTokenIdentity> {
    const now = this.clock();
    const row = await this.db
      .selectFrom('access_tokens')
      .select(['id', 'name', 'user_id', 'permissions', 'expires_at', 'revoked_at'])
      .where('token_hash', '=', hashSecret(token))
      .executeTakeFirst();
    if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now)) {
      throw new PatchwiseError('PW_UNAUTHENTICATED', 'the API token is unknown, revoked or expired');
    }
    return { id: row.id, name: row.name, userId: row.user_id, permissions: row.permissions };
  }

  async createEnrollToken(options: EnrollTokenOptions): Promise<{ id: string; secret: string }> {
    const secret = newSecret('enroll-token');
    const id = randomUUID();
    await this.db
      .insertInto('access_enroll_tokens')
      .values({
        id,
        secret_hash: hashSecret(secret),
        created_at: this.clock(),
        expires_at: options.expiresAt ?? null,
        max_uses: options.maxUses ?? null,
        attributes: JSON.stringify(options.attributes ?? {}),
        revoked_at: null,
      })
      .execute();
    return { id, secret };
  }

  /** Every enrollment token, oldest first, with its state now; never the secret (only its digest is stored). */
  async listEnrollTokens(): Promise<EnrollTokenInfo[]> {
    const now = this.clock();
    const rows = await this.db.selectFrom('access_enroll_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      maxUses: r.max_uses,
      uses: r.uses,
      attributes: r.attributes,
      revoked: r.revoked_at !== null,
      revokedAt: r.revoked_at,
      state:
        r.revoked_at !== null
          ? 'revoked'
          : r.expires_at !== null && r.expires_at.getTime() <= now.getTime()
            ? 'expired'
            : r.max_uses !== null && r.uses >= r.max_uses
              ? 'used-up'
              : 'usable',
    }));
  }

  /**
   * Revokes an enrollment token: no agent enrolls with it any more (hosts enrolled with it stay).
   * True when this call revoked it, false when it was revoked already (its first revocation time
   * is kept, so the caller audits only a real change).
   */
  async revokeEnrollToken(id: string): Promise<boolean> {
    const r = await this.db.updateTable('access_enroll_tokens').set({ revoked_at: this.clock() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (r.numUpdatedRows > 0n) return true;
    const known = await this.db.selectFrom('access_enroll_tokens').select('id').where('id', '=', id).executeTakeFirst();
    if (!known) throw new PatchwiseError('PW_NOT_FOUND', `no enrollment token ${id}`);
    return false;
  }

  /**
   * Spends one use of an enrollment secret, atomically: the conditional update is the check,
   * so two agents racing for the last use cannot both win. Returns the token's id and attributes.
   */
  async consumeEnrollToken(secret: string): Promise<{ id: string; attributes: Record<string, unknown> }> {
    const now = this.clock();
    const row = await this.db
      .updateTable('access_enroll_tokens')
      .set({ uses: sql`uses + 1` })
      .where('secret_hash', '=', hashSecret(secret))
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
      .returning(['id', 'attributes'])
      .executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_UNAUTHENTICATED', 'the enrollment token is unknown, revoked, expired or used up');
    return row;
  }

  async registerAgent(hostId: string, publicKey: string, enrollTokenId: string | null): Promise<void> {
    await this.db
      .insertInto('access_agents')
      .values({ host_id: hostId, public_key: publicKey, enroll_token_id: enrollTokenId, created_at: this.clock() })
      .execute();
  }

  /** The host an agent key belongs to, if any (a second enrollment with the same key is refused). */
  async hostOfKey(publicKey: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('access_agents').select('host_id').where('public_key', '=', publicKey).executeTakeFirst();
    return row?.host_id;
  }

  async agentKey(hostId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('access_agents').select('public_key').where('host_id', '=', hostId).executeTakeFirst();
    return row?.public_key;
  }

  /**
   * Records many nonces in one statement; answers, per entry and in order, whether it was new.
   * The primary key decides, so two server processes on one PostgreSQL can never both accept
   * one nonce. An entry repeated within the call is new at most once (its first occurrence).
   */
  async useNonces(entries: readonly { hostId: string; nonce: string; expiresAt: Date }[]): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const rows = await sql<{ host_id: string; nonce: string }>`
      insert into access_nonces (host_id, nonce, expires_at)
      select * from unnest(${entries.map((e) => e.hostId)}::uuid[], ${entries.map((e) => e.nonce)}::text[], ${entries.map((e) => e.expiresAt.toISOString())}::timestamptz[])
      on conflict do nothing
      returning host_id, nonce`.execute(this.db);
    const inserted = new Set(rows.rows.map((r) => `${r.host_id} ${r.nonce}`));
    return entries.map((e) => inserted.delete(`${e.hostId} ${e.nonce}`));
  }

  /** Forgets nonces whose timestamps are too old to pass the freshness check anyway. */
  async pruneNonces(): Promise<number> {
    const r = await this.db.deleteFrom('access_nonces').where('expires_at', '<', this.clock()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
