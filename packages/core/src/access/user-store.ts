import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import type { BindingScope, RoleBinding } from './grants.js';
import { UNUSABLE_HASH, verifyPassword } from './passwords.js';
import { BUILTIN_ROLES, isPermission, type Permission } from './permissions.js';
import { hashSecret, newSecret } from './secrets.js';
import type { AccessTables } from './tables.js';

/** Lock-out and session lifetimes; the defaults follow common practice (OWASP, NIST 800-63B). */
export interface PeoplePolicy {
  /** Consecutive failed logins that lock an account. */
  readonly maxFailedLogins: number;
  readonly lockoutMs: number;
  /** A session ends after this long without a request… */
  readonly sessionIdleMs: number;
  /** …and after this long in any case. */
  readonly sessionMaxMs: number;
}

export const DEFAULT_PEOPLE_POLICY: PeoplePolicy = { maxFailedLogins: 5, lockoutMs: 15 * 60_000, sessionIdleMs: 30 * 60_000, sessionMaxMs: 12 * 3600_000 };

export interface UserInfo {
  readonly id: string;
  readonly name: string;
  readonly hasPassword: boolean;
  readonly disabled: boolean;
  readonly lockedUntil: Date | null;
  readonly failedLogins: number;
  readonly createdAt: Date;
  readonly bindings: readonly (RoleBinding & { readonly id: string })[];
}

export interface RoleInfo {
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly Permission[];
  readonly builtin: boolean;
}

export type LoginResult = { readonly ok: true; readonly user: UserInfo } | { readonly ok: false; readonly lockedNow: boolean; readonly userId: string | null };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function checkName(name: string, what: string): void {
  if (!NAME.test(name)) throw new PatchwiseError('PW_INPUT_INVALID', `${what} ${JSON.stringify(name)}: use 1–64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`);
}

function sameScope(a: BindingScope | null, b: BindingScope | null): boolean {
  const key = (s: BindingScope | null) => (s ? JSON.stringify([[...s.groups].sort(), [...s.environments].sort()]) : 'all');
  return key(a) === key(b);
}

/**
 * People: users, their role bindings, custom roles, password logins with lock-out, and web
 * sessions (secrets held as SHA-256 digests, like API tokens).
 */
export class UserStore {
  constructor(
    private readonly db: Kysely<AccessTables>,
    private readonly clock: () => Date,
    private readonly policy: PeoplePolicy = DEFAULT_PEOPLE_POLICY,
  ) {}

  async createUser(name: string, passwordHash: string | null): Promise<UserInfo> {
    checkName(name, 'user name');
    const now = this.clock();
    const id = randomUUID();
    const inserted = await this.db
      .insertInto('access_users')
      .values({ id, name, password_hash: passwordHash, password_changed_at: passwordHash ? now : null, disabled_at: null, locked_until: null, created_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if ((inserted.numInsertedOrUpdatedRows ?? 0n) === 0n) throw new PatchwiseError('PW_CONFLICT', `a user named ${name} exists already`);
    return this.requireUser(id);
  }

  async users(): Promise<UserInfo[]> {
    const rows = await this.db.selectFrom('access_users').selectAll().orderBy('name').execute();
    const bindings = await this.db.selectFrom('access_role_bindings').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => this.info(r, bindings.filter((b) => b.user_id === r.id)));
  }

  /** A user by id or name, or undefined. */
  async user(idOrName: string): Promise<UserInfo | undefined> {
    const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(idOrName);
    const row = await this.db
      .selectFrom('access_users')
      .selectAll()
      .where(isId ? 'id' : 'name', '=', idOrName)
      .executeTakeFirst();
    if (!row) return undefined;
    const bindings = await this.db.selectFrom('access_role_bindings').selectAll().where('user_id', '=', row.id).orderBy('created_at').orderBy('id').execute();
    return this.info(row, bindings);
  }

  async requireUser(idOrName: string): Promise<UserInfo> {
    const u = await this.user(idOrName);
    if (!u) throw new PatchwiseError('PW_NOT_FOUND', `no user ${idOrName}`);
    return u;
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db.updateTable('access_users').set({ password_hash: passwordHash, password_changed_at: this.clock(), failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
    // A new password ends every session opened with the old one.
    await this.revokeSessionsOf(userId);
  }

  /** Disabling ends the user's sessions; their tokens stop working while disabled. */
  async setDisabled(userId: string, disabled: boolean): Promise<void> {
    await this.db.updateTable('access_users').set({ disabled_at: disabled ? this.clock() : null }).where('id', '=', userId).execute();
    if (disabled) await this.revokeSessionsOf(userId);
  }

  async unlock(userId: string): Promise<void> {
    await this.db.updateTable('access_users').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
  }

  /** Gives a role, fleet-wide (scope null) or for some groups and environments. */
  async bind(userId: string, role: string, scope: BindingScope | null): Promise<{ id: string }> {
    if (!(await this.role(role))) throw new PatchwiseError('PW_NOT_FOUND', `no role ${role}`);
    const user = await this.requireUser(userId);
    if (user.bindings.some((b) => b.role === role && sameScope(b.scope, scope))) throw new PatchwiseError('PW_CONFLICT', `${user.name} holds ${role} in that scope already`);
    const id = randomUUID();
    await this.db
      .insertInto('access_role_bindings')
      .values({ id, user_id: userId, role, scope: scope ? JSON.stringify({ groups: [...scope.groups], environments: [...scope.environments] }) : null, created_at: this.clock() })
      .execute();
    return { id };
  }

  /** Takes one role binding away. */
  async unbind(userId: string, bindingId: string): Promise<void> {
    const r = await this.db.deleteFrom('access_role_bindings').where('id', '=', bindingId).where('user_id', '=', userId).executeTakeFirst();
    if (r.numDeletedRows === 0n) throw new PatchwiseError('PW_NOT_FOUND', `no role binding ${bindingId} of this user`);
  }

  async roles(): Promise<RoleInfo[]> {
    const builtin = Object.entries(BUILTIN_ROLES).map(([name, permissions]) => ({ name, description: `built-in ${name} role`, permissions: [...permissions], builtin: true }));
    const rows = await this.db.selectFrom('access_roles').selectAll().orderBy('name').execute();
    return [...builtin, ...rows.map((r) => ({ name: r.name, description: r.description, permissions: r.permissions.filter(isPermission), builtin: false }))];
  }

  async role(name: string): Promise<RoleInfo | undefined> {
    return (await this.roles()).find((r) => r.name === name);
  }

  /** Custom roles' permissions by name, for resolving grants. */
  async customRoles(): Promise<Map<string, string[]>> {
    const rows = await this.db.selectFrom('access_roles').select(['name', 'permissions']).execute();
    return new Map(rows.map((r) => [r.name, r.permissions]));
  }

  async createRole(name: string, description: string, permissions: readonly string[]): Promise<RoleInfo> {
    checkName(name, 'role name');
    if (Object.hasOwn(BUILTIN_ROLES, name)) throw new PatchwiseError('PW_CONFLICT', `${name} is a built-in role`);
    const unknown = permissions.filter((p) => !isPermission(p));
    if (unknown.length) throw new PatchwiseError('PW_INPUT_INVALID', `role ${name}: unknown permission${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
    if (!permissions.length) throw new PatchwiseError('PW_INPUT_INVALID', `role ${name}: name at least one permission`);
    const unique = [...new Set(permissions)].sort();
    const r = await this.db
      .insertInto('access_roles')
      .values({ name, description, permissions: JSON.stringify(unique), created_at: this.clock() })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if ((r.numInsertedOrUpdatedRows ?? 0n) === 0n) throw new PatchwiseError('PW_CONFLICT', `a role named ${name} exists already`);
    return { name, description, permissions: unique as Permission[], builtin: false };
  }

  /** Changes a custom role's description and permissions (policy as code); PW_NOT_FOUND when it does not exist. */
  async updateRole(name: string, description: string, permissions: readonly string[]): Promise<RoleInfo> {
    const role = await this.role(name);
    if (!role) throw new PatchwiseError('PW_NOT_FOUND', `no role ${name}`);
    if (role.builtin) throw new PatchwiseError('PW_CONFLICT', `${name} is a built-in role`);
    const unknown = permissions.filter((p) => !isPermission(p));
    if (unknown.length || !permissions.length) throw new PatchwiseError('PW_INPUT_INVALID', `role ${name}: ${unknown.length ? `unknown permissions ${unknown.join(', ')}` : 'name at least one permission'}`);
    const unique = [...new Set(permissions)].sort();
    await this.db.updateTable('access_roles').set({ description, permissions: JSON.stringify(unique) }).where('name', '=', name).execute();
    return { name, description, permissions: unique as Permission[], builtin: false };
  }

  /** Deletes a custom role no one holds; PW_CONFLICT names the holders otherwise. */
  async deleteRole(name: string): Promise<RoleInfo> {
    const role = await this.role(name);
    if (!role) throw new PatchwiseError('PW_NOT_FOUND', `no role ${name}`);
    if (role.builtin) throw new PatchwiseError('PW_CONFLICT', `${name} is a built-in role`);
    const holders = await this.db.selectFrom('access_role_bindings').innerJoin('access_users', 'access_users.id', 'access_role_bindings.user_id').select('access_users.name').where('role', '=', name).execute();
    if (holders.length) throw new PatchwiseError('PW_CONFLICT', `role ${name} is held by ${[...new Set(holders.map((h) => h.name))].join(', ')}; take it away first`);
    await this.db.deleteFrom('access_roles').where('name', '=', name).execute();
    return role;
  }

  /**
   * Checks a password. Unknown users, users without a password and disabled users take the
   * same time and give the same answer as a wrong password. Failures count toward a lock-out;
   * while locked, even the right password fails. Returns the outcome instead of throwing, so
   * the caller can commit the failure count before refusing.
   */
  async login(name: string, password: string): Promise<LoginResult> {
    const now = this.clock();
    const row = NAME.test(name) ? await this.db.selectFrom('access_users').selectAll().where('name', '=', name).executeTakeFirst() : undefined;
    const matches = await verifyPassword(password, row?.password_hash ?? UNUSABLE_HASH);
    if (!row) return { ok: false, lockedNow: false, userId: null };
    const locked = row.locked_until !== null && row.locked_until > now;
    if (matches && row.password_hash && !row.disabled_at && !locked) {
      await this.db.updateTable('access_users').set({ failed_logins: 0, locked_until: null }).where('id', '=', row.id).execute();
      return { ok: true, user: await this.requireUser(row.id) };
    }
    if (locked || row.disabled_at) return { ok: false, lockedNow: false, userId: row.id };
    // Counted in SQL, so concurrent guesses cannot slip past the limit.
    const counted = await this.db
      .updateTable('access_users')
      .set({ failed_logins: sql`failed_logins + 1` })
      .where('id', '=', row.id)
      .returning('failed_logins')
      .executeTakeFirstOrThrow();
    if (counted.failed_logins < this.policy.maxFailedLogins) return { ok: false, lockedNow: false, userId: row.id };
    await this.db
      .updateTable('access_users')
      .set({ failed_logins: 0, locked_until: new Date(now.getTime() + this.policy.lockoutMs) })
      .where('id', '=', row.id)
      .execute();
    return { ok: false, lockedNow: true, userId: row.id };
  }

  async createSession(userId: string): Promise<{ id: string; secret: string; expiresAt: Date }> {
    const now = this.clock();
    const id = randomUUID();
    const secret = newSecret('session');
    const expiresAt = new Date(now.getTime() + this.policy.sessionMaxMs);
    await this.db
      .insertInto('access_sessions')
      .values({ id, secret_hash: hashSecret(secret), user_id: userId, created_at: now, expires_at: expiresAt, idle_expires_at: new Date(Math.min(expiresAt.getTime(), now.getTime() + this.policy.sessionIdleMs)), revoked_at: null })
      .execute();
    return { id, secret, expiresAt };
  }

  /** The session behind a cookie secret, extending its idle deadline; PW_UNAUTHENTICATED when it ended. */
  async authenticateSession(secret: string): Promise<{ sessionId: string; userId: string }> {
    const now = this.clock();
    const row = await this.db
      .updateTable('access_sessions')
      .set({ idle_expires_at: sql`least(expires_at, ${new Date(now.getTime() + this.policy.sessionIdleMs)}::timestamptz)` })
      .where('secret_hash', '=', hashSecret(secret))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('idle_expires_at', '>', now)
      .returning(['id', 'user_id'])
      .executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_UNAUTHENTICATED', 'the session is unknown, ended or expired; log in again');
    return { sessionId: row.id, userId: row.user_id };
  }

  async revokeSession(id: string): Promise<void> {
    await this.db.updateTable('access_sessions').set({ revoked_at: this.clock() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  private async revokeSessionsOf(userId: string): Promise<void> {
    await this.db.updateTable('access_sessions').set({ revoked_at: this.clock() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  }

  private info(
    r: { id: string; name: string; password_hash: string | null; disabled_at: Date | null; locked_until: Date | null; failed_logins: number; created_at: Date },
    bindings: readonly { id: string; role: string; scope: { groups: string[]; environments: string[] } | null }[],
  ): UserInfo {
    const now = this.clock();
    return {
      id: r.id,
      name: r.name,
      hasPassword: r.password_hash !== null,
      disabled: r.disabled_at !== null,
      lockedUntil: r.locked_until && r.locked_until > now ? r.locked_until : null,
      failedLogins: r.failed_logins,
      createdAt: r.created_at,
      bindings: bindings.map((b) => ({ id: b.id, role: b.role, scope: b.scope })),
    };
  }
}
