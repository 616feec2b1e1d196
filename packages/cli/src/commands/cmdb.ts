import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PatchwiseError } from '@patchwise/core';
import { MAX_CMDB_UPLOAD } from '@patchwise/server';
import type { ApiClient } from '../api-client.js';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

/**
 * Uploads a CMDB export (CSV with a header row, or JSON); a file with any bad row changes nothing,
 * and the server's refusal lists every bad row. A file with no assets is refused unless
 * `allowEmpty`, which empties the CMDB.
 */
export async function cmdbImport(api: ApiClient, file: string, io: Io, opts: { allowEmpty?: boolean } = {}): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new PatchwiseError('PW_INPUT_UNREADABLE', (err as Error).message, { input: file });
  }
  if (bytes.length === 0) throw new PatchwiseError('PW_INPUT_INVALID', 'the file is empty', { input: file });
  // Said here, naming the file and the limit, rather than after uploading it to be refused (413).
  if (bytes.length > MAX_CMDB_UPLOAD) {
    throw new PatchwiseError('PW_INPUT_TOO_LARGE', `${bytes.length} bytes, more than the ${MAX_CMDB_UPLOAD / (1024 * 1024)} MiB a CMDB import takes`, { input: file });
  }
  const query: Record<string, string> = { filename: basename(file).replace(/[^A-Za-z0-9._-]/g, '_') };
  if (opts.allowEmpty) query.allowEmpty = 'true';
  const reply = await api.upload<{ assets: number; warnings?: string[] }>('/api/v1/cmdb/import', query, bytes);
  io.stdout.write(`${file}: ${reply.assets} expected assets imported\n`);
  for (const w of reply.warnings ?? []) io.stderr.write(`${file}: warning: ${w}\n`);
  return 0;
}

interface Reconciliation {
  matched: { asset: { hostname?: string }; host: { hostname: string }; by: string; mismatches: { field: string; expected: string; actual: string | null }[] }[];
  missing: { asset: { hostname?: string; machineId?: string; location: string }; reason: string }[];
  unknown: { host: { hostname: string; id: string } }[];
  ambiguous: { by: string; reason: string }[];
  /** Absent from servers before duplicates were told apart from missing records. */
  duplicate?: { asset: CmdbRecord; of: CmdbRecord; host: { hostname: string; id: string }; by: string; ofBy: string }[];
}

interface CmdbRecord {
  hostname?: string;
  machineId?: string;
  source: string;
  location: string;
}

/** How a record is named to a person: where it is in the export, and the hostname it gives. */
function recordName(a: CmdbRecord): string {
  return `${a.source} ${a.location}${a.hostname ? ` (${a.hostname})` : ''}`;
}

/** Prints what differs between the CMDB and the fleet; exit 1 when anything does. */
export async function cmdbReconcile(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const r = await api.get<Reconciliation>('/api/v1/cmdb/reconcile');
  const duplicate = r.duplicate ?? [];
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  } else {
    for (const m of r.missing) io.stdout.write(`missing   ${m.asset.hostname ?? m.asset.machineId ?? m.asset.location}: ${m.reason}\n`);
    for (const u of r.unknown) io.stdout.write(`unknown   ${u.host.hostname} (${u.host.id}): seen, not in the CMDB\n`);
    for (const m of r.matched) {
      for (const x of m.mismatches) io.stdout.write(`mismatch  ${m.host.hostname}: ${x.field} is ${x.actual ?? 'unset'}, CMDB says ${x.expected}\n`);
    }
    for (const d of duplicate) {
      io.stdout.write(`duplicate ${recordName(d.asset)}: names host ${d.host.hostname} (${d.host.id}) by ${d.by}, as ${recordName(d.of)} does by ${d.ofBy}\n`);
    }
    for (const a of r.ambiguous) io.stdout.write(`ambiguous ${a.by}: ${a.reason}\n`);
    const mismatched = r.matched.filter((m) => m.mismatches.length > 0).length;
    io.stderr.write(`${r.matched.length} matched (${mismatched} with mismatches), ${r.missing.length} missing, ${r.unknown.length} unknown, ${duplicate.length} duplicate, ${r.ambiguous.length} ambiguous\n`);
  }
  const clean = r.missing.length === 0 && r.unknown.length === 0 && duplicate.length === 0 && r.ambiguous.length === 0 && r.matched.every((m) => m.mismatches.length === 0);
  return clean ? 0 : 1;
}
