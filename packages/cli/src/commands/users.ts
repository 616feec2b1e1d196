import { PatchwiseError } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream; stdin: NodeJS.ReadableStream };

interface Binding {
  id: string;
  role: string;
  scope: { groups: string[]; environments: string[] } | null;
}

interface UserView {
  id: string;
  name: string;
  hasPassword: boolean;
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
  bindings: Binding[];
}

/** Where a role binding applies, as typed on the command line. */
export interface ScopeOptions {
  readonly group: string[];
  readonly environment: string[];
}

const path = (name: string) => `/api/v1/users/${encodeURIComponent(name)}`;

export function bindingText(b: Pick<Binding, 'role' | 'scope'>): string {
  if (!b.scope) return `${b.role} (all hosts)`;
  const parts = [...b.scope.groups.map((g) => `group ${g}`), ...b.scope.environments.map((e) => `environment ${e}`)];
  return `${b.role} (${parts.join(', ')})`;
}

function state(u: UserView): string {
  if (u.disabled) return 'disabled';
  if (u.lockedUntil) return `locked until ${u.lockedUntil}`;
  return u.hasPassword ? 'active' : 'active (no password: tokens only)';
}

/**
 * A password from standard input (its first line), never from the command line, where other
 * users of the machine could read it in the process list.
 */
export async function readPassword(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  if (!password) throw new PatchwiseError('PW_USAGE', '--password-stdin: standard input is empty; pipe the password in');
  return password;
}

export async function usersCreate(api: ApiClient, name: string, opts: { passwordStdin?: boolean }, io: Io): Promise<number> {
  const password = opts.passwordStdin ? await readPassword(io.stdin) : undefined;
  const u = await api.post<UserView>('/api/v1/users', { name, ...(password !== undefined ? { password } : {}) });
  io.stdout.write(`user ${u.name} created (${u.id})${u.hasPassword ? '' : '; no password yet: set one with users set-password, or give them a token'}\n`);
  return 0;
}

export async function usersList(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const { users } = await api.get<{ users: UserView[] }>('/api/v1/users');
  if (opts.json) io.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
  else io.stdout.write(textTable(['NAME', 'STATE', 'ROLES', 'CREATED'], users.map((u) => [u.name, state(u), u.bindings.map(bindingText).join('; ') || '-', u.createdAt.slice(0, 10)])));
  return 0;
}

export async function usersShow(api: ApiClient, name: string, opts: { json?: boolean }, io: Io): Promise<number> {
  const u = await api.get<UserView>(path(name));
  if (opts.json) io.stdout.write(`${JSON.stringify(u, null, 2)}\n`);
  else {
    io.stdout.write(`${u.name} (${u.id}): ${state(u)}, created ${u.createdAt}\n`);
    for (const b of u.bindings) io.stdout.write(`  ${bindingText(b)}  [${b.id}]\n`);
    if (!u.bindings.length) io.stdout.write('  no roles: this user may do nothing\n');
  }
  return 0;
}

export async function usersSetPassword(api: ApiClient, name: string, io: Io): Promise<number> {
  await api.put(`${path(name)}/password`, { password: await readPassword(io.stdin) });
  io.stdout.write(`password of ${name} set; their sessions ended\n`);
  return 0;
}

export async function usersChange(api: ApiClient, name: string, change: 'disable' | 'enable' | 'unlock', io: Io): Promise<number> {
  const body = change === 'unlock' ? { unlock: true } : { disabled: change === 'disable' };
  const u = await api.patch<UserView>(path(name), body);
  io.stdout.write(`${u.name}: ${state(u)}\n`);
  return 0;
}

function scopeOf(o: ScopeOptions) {
  return { ...(o.group.length ? { groups: o.group } : {}), ...(o.environment.length ? { environments: o.environment } : {}) };
}

export async function usersGrant(api: ApiClient, name: string, role: string, opts: ScopeOptions, io: Io): Promise<number> {
  const u = await api.post<UserView>(`${path(name)}/bindings`, { role, ...scopeOf(opts) });
  io.stdout.write(`${u.name} now holds: ${u.bindings.map(bindingText).join('; ')}\n`);
  return 0;
}

/** Takes away the binding of this role with exactly this scope (none given: the fleet-wide one). */
export async function usersRevoke(api: ApiClient, name: string, role: string, opts: ScopeOptions, io: Io): Promise<number> {
  const u = await api.get<UserView>(path(name));
  const key = (groups: readonly string[], environments: readonly string[]) => JSON.stringify([[...groups].sort(), [...environments].sort()]);
  const wanted = key(opts.group, opts.environment);
  const binding = u.bindings.find((b) => b.role === role && (b.scope ? key(b.scope.groups, b.scope.environments) : key([], [])) === wanted);
  if (!binding) throw new PatchwiseError('PW_NOT_FOUND', `${name} holds no ${bindingText({ role, scope: opts.group.length || opts.environment.length ? { groups: opts.group, environments: opts.environment } : null })}`);
  const after = await api.delete<UserView>(`${path(name)}/bindings/${binding.id}`);
  io.stdout.write(`${name} now holds: ${after?.bindings.map(bindingText).join('; ') || 'no roles'}\n`);
  return 0;
}

export async function whoami(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const me = await api.get<{ user: UserView; via: string; grants: { permission: string; scope: 'all' | { groups: string[]; environments: string[] } }[] }>('/api/v1/me');
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(me, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${me.user.name} (through a ${me.via})\n`);
  for (const g of me.grants) io.stdout.write(`  ${g.permission}: ${g.scope === 'all' ? 'all hosts' : [...g.scope.groups.map((x) => `group ${x}`), ...g.scope.environments.map((x) => `environment ${x}`)].join(', ')}\n`);
  return 0;
}
