import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { PatchwiseError, countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { openOutputFile } from '../open-output-file.js';

type Io = { stdout: NodeJS.WritableStream };

interface Verdict {
  ok: boolean;
  events: number;
  checkpoints?: number;
  seq?: number;
  reason?: string;
  publicKey: string;
}

/** Proves the audit trail: exit 0 when intact, 1 naming the first tampered event. */
export async function auditVerify(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const v = await api.get<Verdict>('/api/v1/audit/verify');
  if (opts.json) io.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
  else if (v.ok) io.stdout.write(`audit trail intact: ${countNoun(v.events, 'event')}, ${countNoun(v.checkpoints ?? 0, 'signed checkpoint')} (key ${v.publicKey})\n`);
  else io.stdout.write(`audit trail BROKEN at event ${v.seq ?? '?'}: ${v.reason ?? 'unknown'} (${countNoun(v.events, 'event')} verified before it)\n`);
  return v.ok ? 0 : 1;
}

const PAGE = 1000;

/**
 * Writes audit events as JSON Lines (one event per line, in order, hashes included so a reader
 * can re-check the chain), to stdout or `--output`. `--since` takes an ISO date or time.
 */
export async function auditExport(api: ApiClient, opts: { since?: string; output?: string }, io: Io): Promise<number> {
  let since: string | undefined;
  if (opts.since !== undefined) {
    const at = new Date(opts.since);
    if (Number.isNaN(at.getTime())) throw new PatchwiseError('PW_USAGE', `--since: "${opts.since}" is not a date or time (e.g. 2026-12-01 or 2026-12-01T08:00:00Z)`);
    since = at.toISOString();
  }
  const file = opts.output ? createWriteStream(opts.output, { fd: openOutputFile(opts.output, 0o600) }) : undefined;
  const out: NodeJS.WritableStream = file ?? io.stdout;
  let afterSeq = 0;
  for (;;) {
    const { events } = await api.get<{ events: { seq: number }[] }>('/api/v1/audit/events', { afterSeq, limit: PAGE, since });
    for (const e of events) if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, 'drain');
    if (events.length < PAGE) break;
    afterSeq = events[events.length - 1]!.seq;
  }
  if (file) {
    file.end();
    await finished(file);
  }
  return 0;
}
