import type { Kysely, Selectable } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import type { AccessTables } from './tables.js';

/** A person's registered Ed25519 public key, with which they sign approvals. */
export interface SigningKeyInfo {
  /** SHA-256 (hex) of the raw public key: what signatures name. */
  readonly keyId: string;
  readonly userId: string;
  /** 32-byte raw public key, base64url. */
  readonly publicKey: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

const toInfo = (r: Selectable<AccessTables['access_signing_keys']>): SigningKeyInfo => ({
  keyId: r.key_id,
  userId: r.user_id,
  publicKey: r.public_key,
  name: r.name,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/**
 * People's approval-signing public keys. The private halves never reach the server: the CLI
 * makes and keeps them, and uploads only the public key. A key belongs to one person; a
 * revoked key signs nothing new, but agents that pinned it keep trusting it until re-enrolled.
 */
export class SigningKeyStore {
  constructor(
    private readonly db: Kysely<AccessTables>,
    private readonly clock: () => Date,
  ) {}

  /** Registers a key (already validated, its id computed by the caller); PW_CONFLICT if anyone registered it before. */
  async register(userId: string, key: { keyId: string; publicKey: string; name: string }): Promise<SigningKeyInfo> {
    const row = await this.db
      .insertInto('access_signing_keys')
      .values({ key_id: key.keyId, user_id: userId, public_key: key.publicKey, name: key.name, created_at: this.clock(), revoked_at: null })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_CONFLICT', `signing key ${key.keyId} is registered already`);
    return toInfo(row);
  }

  async keysOf(userId: string): Promise<SigningKeyInfo[]> {
    const rows = await this.db.selectFrom('access_signing_keys').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('key_id').execute();
    return rows.map(toInfo);
  }

  /** Every registered key, revoked ones included (an admin choosing keys for agents to pin). */
  async all(): Promise<SigningKeyInfo[]> {
    const rows = await this.db.selectFrom('access_signing_keys').selectAll().orderBy('created_at').orderBy('key_id').execute();
    return rows.map(toInfo);
  }

  async key(keyId: string): Promise<SigningKeyInfo | undefined> {
    const row = await this.db.selectFrom('access_signing_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    return row ? toInfo(row) : undefined;
  }

  /** Revokes one of the user's own keys; returns it as it was. */
  async revoke(userId: string, keyId: string): Promise<SigningKeyInfo> {
    const before = await this.key(keyId);
    if (!before || before.userId !== userId) throw new PatchwiseError('PW_NOT_FOUND', `you have no signing key ${keyId}`);
    if (before.revokedAt) throw new PatchwiseError('PW_CONFLICT', `signing key ${keyId} is revoked already`);
    await this.db.updateTable('access_signing_keys').set({ revoked_at: this.clock() }).where('key_id', '=', keyId).execute();
    return before;
  }
}
