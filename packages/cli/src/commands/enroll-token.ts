import { attributePairsToObject } from '@patchwise/core';
import { parseDuration } from '@patchwise/server';
import type { ApiClient } from '../api-client.js';

export interface EnrollTokenCreateOptions {
  readonly expires?: string;
  readonly uses?: string;
  readonly attr: string[];
  readonly json?: boolean;
}

/** Prints a new enrollment secret (shown once) on stdout; details go to stderr. */
export async function enrollTokenCreate(api: ApiClient, opts: EnrollTokenCreateOptions, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const body: Record<string, unknown> = {};
  body.expiresInSeconds = parseDuration(opts.expires ?? '24h', '--expires') / 1000;
  if (opts.uses !== undefined) body.maxUses = Number(opts.uses);
  if (opts.attr.length > 0) body.attributes = attributePairsToObject(opts.attr);
  const created = await api.post<{ id: string; token: string; expiresAt: string | null; maxUses: number | null }>('/api/v1/enroll-tokens', body);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${created.token}\n`);
  io.stderr.write(`enrollment token ${created.id}: expires ${created.expiresAt ?? 'never'}, ${created.maxUses ?? 'unlimited'} use(s)\n`);
  return 0;
}
