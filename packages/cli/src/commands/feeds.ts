import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PatchwiseError } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

interface ImportReply {
  records: { inserted: number; updated: number; unchanged: number };
  documents: string[];
  hostsReassessed: number;
  problems: string[];
  warnings: number;
}

/**
 * Uploads feed files to the server (air-gapped sites carry them in). A directory is sent file
 * by file; loose OSV records in one directory are better shipped as one .zip or .tar.gz.
 */
export async function feedsImport(api: ApiClient, paths: readonly string[], opts: { source?: string }, io: Io): Promise<number> {
  let failed = 0;
  for (const file of expand(paths)) {
    const name = basename(file).replace(/[^A-Za-z0-9._-]/g, '_');
    const reply = await api.upload<ImportReply>('/api/v1/feeds/import', { filename: name, source: opts.source ?? 'import' }, readFileSync(file));
    const r = reply.records;
    io.stdout.write(
      `${file}: ${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged records` +
        `${reply.documents.length ? `; enrichment ${reply.documents.join(', ')} updated` : ''}; ${reply.hostsReassessed} hosts re-assessed\n`,
    );
    for (const p of reply.problems) io.stderr.write(`  problem: ${p}\n`);
    if (reply.problems.length) failed++;
  }
  return failed > 0 ? 1 : 0;
}

function expand(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      throw new PatchwiseError('PW_INPUT_UNREADABLE', (err as Error).message, { input: p });
    }
    if (st.isDirectory()) {
      for (const entry of readdirSync(p).sort()) if (statSync(join(p, entry)).isFile()) files.push(join(p, entry));
    } else files.push(p);
  }
  return files;
}

export async function feedsStatus(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const { feeds } = await api.get<{ feeds: { name: string; kind: string; records: number; ageSeconds: number | null; lastError: string | null }[] }>('/api/v1/feeds');
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(feeds, null, 2)}\n`);
    return 0;
  }
  const age = (s: number | null) => (s === null ? 'never' : s < 3600 ? `${Math.round(s / 60)}m` : s < 172800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`);
  io.stdout.write(textTable(['FEED', 'KIND', 'RECORDS', 'AGE', 'LAST ERROR'], feeds.map((f) => [f.name, f.kind, String(f.records), age(f.ageSeconds), f.lastError ?? ''])));
  return 0;
}

interface SyncReply {
  sources: { name: string; outcome: 'imported' | 'not-modified' | 'skipped' | 'failed'; records?: number; hostsReassessed?: number; error?: string; dueAt?: string }[];
}

/**
 * Asks the server to sync its configured sources now: those that are due, or all with `--force`.
 * Exit 1 when any source failed (the server keeps the data it held).
 */
export async function feedsSync(api: ApiClient, opts: { force?: boolean; json?: boolean }, io: Io): Promise<number> {
  const { sources } = await api.post<SyncReply>(`/api/v1/feeds/sync?force=${opts.force === true}`, {});
  if (opts.json) io.stdout.write(`${JSON.stringify(sources, null, 2)}\n`);
  else {
    const detail = (s: SyncReply['sources'][number]): string => {
      switch (s.outcome) {
        case 'imported':
          return `${s.records ?? 0} records, ${s.hostsReassessed ?? 0} hosts re-assessed`;
        case 'skipped':
          return s.dueAt ? `next due ${s.dueAt}` : '';
        case 'failed':
          return s.error ?? '';
        case 'not-modified':
          return 'unchanged at the source';
      }
    };
    io.stdout.write(textTable(['FEED', 'OUTCOME', 'DETAIL'], sources.map((s) => [s.name, s.outcome, detail(s)])));
  }
  return sources.some((s) => s.outcome === 'failed') ? 1 : 0;
}
