import { PatchwiseError } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

/** `--expires 90d` (days) or none; the server bounds it. */
function expiresInSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d{1,4})d$/.exec(text);
  if (!m) throw new PatchwiseError('PW_USAGE', `--expires: "${text}" is not a number of days such as 90d`);
  return Number(m[1]) * 86400;
}

export interface TokenCreateOptions {
  readonly expires?: string;
  readonly permission: string[];
  readonly user?: string;
}

/** Prints the new secret alone on stdout (for scripts), and what it is on stderr. */
export async function tokensCreate(api: ApiClient, name: string, opts: TokenCreateOptions, io: Io): Promise<number> {
  const seconds = expiresInSeconds(opts.expires);
  const t = await api.post<{ id: string; user: string; permissions: string[] | null; token: string; expiresAt: string | null }>('/api/v1/tokens', {
    name,
    ...(seconds ? { expiresInSeconds: seconds } : {}),
    ...(opts.permission.length ? { permissions: opts.permission } : {}),
    ...(opts.user !== undefined ? { user: opts.user } : {}),
  });
  io.stdout.write(`${t.token}\n`);
  const reach = t.permissions ? `only ${t.permissions.join(', ')}` : `everything ${t.user} may do`;
  io.stderr.write(`API token ${t.id} (${name}) of ${t.user}, for ${reach}: ${t.expiresAt ? `expires ${t.expiresAt}` : 'does not expire'}; shown once\n`);
  return 0;
}

export async function tokensList(api: ApiClient, opts: { user?: string; all?: boolean; json?: boolean }, io: Io): Promise<number> {
  const { tokens } = await api.get<{ tokens: { id: string; name: string; user: string; permissions: string[] | null; createdAt: string; expiresAt: string | null; revokedAt: string | null }[] }>('/api/v1/tokens', { user: opts.user, all: opts.all });
  if (opts.json) io.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
  else
    io.stdout.write(
      textTable(
        ['ID', 'NAME', 'USER', 'PERMISSIONS', 'CREATED', 'EXPIRES', 'REVOKED'],
        tokens.map((t) => [t.id, t.name, t.user, t.permissions?.join(' ') ?? "all of the user's", t.createdAt.slice(0, 10), t.expiresAt?.slice(0, 10) ?? 'never', t.revokedAt?.slice(0, 10) ?? '-']),
      ),
    );
  return 0;
}

export async function tokensRevoke(api: ApiClient, id: string, io: Io): Promise<number> {
  await api.delete(`/api/v1/tokens/${encodeURIComponent(id)}`);
  io.stdout.write(`API token ${id} revoked\n`);
  return 0;
}
