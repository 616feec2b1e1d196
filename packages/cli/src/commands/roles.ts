import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream };

interface RoleView {
  name: string;
  description: string;
  permissions: string[];
  builtin: boolean;
}

export async function rolesList(api: ApiClient, opts: { json?: boolean; permissions?: boolean }, io: Io): Promise<number> {
  const body = await api.get<{ roles: RoleView[]; permissions: { name: string; scope: string; description: string }[] }>('/api/v1/roles');
  if (opts.json) io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  else if (opts.permissions) io.stdout.write(textTable(['PERMISSION', 'SCOPABLE TO HOSTS', 'WHAT IT ALLOWS'], body.permissions.map((p) => [p.name, p.scope === 'hosts' ? 'yes' : 'no', p.description])));
  else io.stdout.write(textTable(['ROLE', 'KIND', 'PERMISSIONS'], body.roles.map((r) => [r.name, r.builtin ? 'built-in' : 'custom', r.permissions.join(' ')])));
  return 0;
}

export async function rolesCreate(api: ApiClient, name: string, opts: { permission: string[]; description?: string }, io: Io): Promise<number> {
  const r = await api.post<RoleView>('/api/v1/roles', { name, permissions: opts.permission, ...(opts.description ? { description: opts.description } : {}) });
  io.stdout.write(`role ${r.name} created: ${r.permissions.join(' ')}\n`);
  return 0;
}

export async function rolesDelete(api: ApiClient, name: string, io: Io): Promise<number> {
  await api.delete(`/api/v1/roles/${encodeURIComponent(name)}`);
  io.stdout.write(`role ${name} deleted\n`);
  return 0;
}
