import { attributePairsToObject, countNoun, PatchwiseError } from '@patchwise/core';
import { parseDuration } from '@patchwise/server';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

export interface EnrollTokenCreateOptions {
  readonly expires?: string;
  readonly uses?: string;
  readonly attr: string[];
  readonly json?: boolean;
}

/** The server takes enrollment secrets living from a minute to a year. */
const MIN_LIFETIME_S = 60;
const MAX_LIFETIME_S = 365 * 86_400;

/** `--expires` in seconds, checked against what the server takes, in the option's own terms. */
function enrollmentLifetime(text: string): number {
  const seconds = parseDuration(text, '--expires') / 1000;
  if (seconds < MIN_LIFETIME_S || seconds > MAX_LIFETIME_S) throw new PatchwiseError('PW_USAGE', `--expires must be from 1m to 365d, not ${text.trim()}`);
  return seconds;
}

/** Prints a new enrollment secret (shown once) on stdout; details go to stderr. */
export async function enrollTokenCreate(api: ApiClient, opts: EnrollTokenCreateOptions, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const body: Record<string, unknown> = {};
  body.expiresInSeconds = enrollmentLifetime(opts.expires ?? '24h');
  if (opts.uses !== undefined) body.maxUses = Number(opts.uses);
  if (opts.attr.length > 0) body.attributes = attributePairsToObject(opts.attr);
  const created = await api.post<{ id: string; token: string; expiresAt: string | null; maxUses: number | null }>('/api/v1/enroll-tokens', body);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${created.token}\n`);
  io.stderr.write(`enrollment token ${created.id}: expires ${created.expiresAt ?? 'never'}, ${created.maxUses === null ? 'unlimited uses' : countNoun(created.maxUses, 'use')}\n`);
  return 0;
}

interface EnrollTokenView {
  id: string;
  createdAt: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  attributes: Record<string, unknown>;
  revokedAt: string | null;
  state: string;
}

/** Every enrollment token and its state; the secrets are not stored, so never shown. */
export async function enrollTokenList(api: ApiClient, opts: { json?: boolean }, io: { stdout: NodeJS.WritableStream }): Promise<number> {
  const { tokens } = await api.get<{ tokens: EnrollTokenView[] }>('/api/v1/enroll-tokens');
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
    return 0;
  }
  const rows = tokens.map((t) => [
    t.id,
    t.createdAt,
    t.expiresAt ?? 'never',
    t.maxUses === null ? 'unlimited' : String(Math.max(0, t.maxUses - t.uses)),
    Object.entries(t.attributes)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
      .join(' ') || '-',
    t.state,
  ]);
  io.stdout.write(textTable(['ID', 'CREATED', 'EXPIRES', 'USES LEFT', 'ATTRIBUTES', 'STATE'], rows));
  return 0;
}

/** Revokes an enrollment token: no agent enrolls with it any more; hosts enrolled with it stay. */
export async function enrollTokenRevoke(api: ApiClient, id: string, io: { stderr: NodeJS.WritableStream }): Promise<number> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new PatchwiseError('PW_USAGE', `not an enrollment token id: ${id} (see patchwise enroll-token list)`);
  await api.delete(`/api/v1/enroll-tokens/${id}`);
  io.stderr.write(`enrollment token ${id} revoked\n`);
  return 0;
}
