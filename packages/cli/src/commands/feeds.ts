import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { PatchwiseError, isPatchwiseError, listFeedFiles, countNoun } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { textTable } from '../output/index.js';

const IMPORT_PATH = '/api/v1/feeds/import';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

interface ImportReply {
  records: { inserted: number; updated: number; unchanged: number; older: number };
  documents: string[];
  /** Enrichment documents the server kept out (absent from servers before editions were compared). */
  keptOut?: { kind: string; message: string }[];
  /** NVD CVE records, one per CVE; absent from servers that kept NVD pages whole. */
  nvd?: { stored: number; unchanged: number; older: number };
  hostsReassessed: number;
  /** What the re-assessment changed; absent from servers older than retracted findings. */
  findings?: { opened: number; updated: number; fixed: number; retracted: number };
  problems: string[];
  warnings: number;
}

/**
 * Uploads feed files to the server (air-gapped sites carry them in), one request per file.
 * Directories are walked and filtered as the server reads them (`listFeedFiles`: recursively,
 * feed documents and archives only, so a feed's README and LICENSE stay home). A file the server
 * refuses is reported under the user's path and the rest still go; exit 1 at the end if any failed.
 * Loose OSV records in one directory are better shipped as one .zip or .tar.gz.
 */
export async function feedsImport(api: ApiClient, paths: readonly string[], opts: { source?: string }, io: Io): Promise<number> {
  // A path that names nothing is a mistyped command (exit 2, nothing imported), as for scan; a
  // file the server refuses is the feed's problem, reported below with exit 1.
  const missing = paths.filter((p) => statSync(p, { throwIfNoEntry: false }) === undefined);
  if (missing.length > 0) throw new PatchwiseError('PW_USAGE', `no such file or directory: ${missing.join(', ')}`);
  const { files, skipped, problems } = listFeedFiles(paths);
  let failed = problems.length;
  for (const p of problems) io.stderr.write(`patchwise: ${p.message}
`);
  if (skipped.length > 0) {
    const shown = skipped.slice(0, 5).join(', ') + (skipped.length > 5 ? `, and ${skipped.length - 5} more` : '');
    io.stderr.write(`patchwise: note: ${countNoun(skipped.length, 'file')} left out, not feed files: ${shown}\n`);
  }
  for (const { path: file } of files) {
    const name = basename(file).replace(/[^A-Za-z0-9._-]/g, '_');
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      io.stderr.write(`patchwise: ${file}: ${(err as Error).message}\n`); // gone or unreadable since listed
      failed++;
      continue;
    }
    let reply: ImportReply;
    try {
      reply = await api.upload<ImportReply>(IMPORT_PATH, { filename: name, source: opts.source ?? 'import' }, bytes);
    } catch (err) {
      // The server, or the network, refused this file: say which one, and go on with the others.
      if (!isPatchwiseError(err) || err.code === 'PW_SERVER_UNREACHABLE' || err.code === 'PW_UNAUTHENTICATED' || err.code === 'PW_FORBIDDEN') throw err;
      io.stderr.write(`patchwise: ${underUserPath(err.message.replace(`POST ${IMPORT_PATH}: `, ''), name, file)}\n`);
      failed++;
      continue;
    }
    const r = reply.records;
    const documents = reply.nvd ? reply.documents.filter((d) => d !== 'nvd') : reply.documents;
    io.stdout.write(
      `${file}: ${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged records` +
        `${r.older ? `, ${r.older} older than the copy held (kept the held one)` : ''}` +
        `${documents.length ? `; enrichment ${documents.join(', ')} updated` : ''}` +
        nvdRecords(reply.nvd) +
        `${reply.keptOut?.length ? `; enrichment ${reply.keptOut.map((k) => k.kind).join(', ')} kept out (kept the held one)` : ''}; ${countNoun(reply.hostsReassessed, 'host')} re-assessed${findingChanges(reply.findings)}\n`,
    );
    // Not a failure (nothing held was lost), but the reason must be seen: the file was not used.
    for (const k of reply.keptOut ?? []) io.stdout.write(`  ${underUserPath(k.message, name, file)}\n`);
    for (const p of reply.problems) io.stderr.write(`  problem: ${underUserPath(p, name, file)}\n`);
    if (reply.problems.length) failed++;
  }
  if (failed > 0) io.stderr.write(`patchwise: ${failed} of ${countNoun(files.length + problems.length, 'file')} not imported whole\n`);
  return failed > 0 ? 1 : 0;
}

/** What a feed import did with NVD records, when the file had any. */
function nvdRecords(nvd: ImportReply['nvd']): string {
  if (!nvd || nvd.stored + nvd.unchanged + nvd.older === 0) return '';
  return `; NVD ${nvd.stored} CVE records stored, ${nvd.unchanged} unchanged${nvd.older ? `, ${nvd.older} older than the copy held (kept the held one)` : ''}`;
}

/**
 * What a feed import did to findings, when it did anything: new ones, and those a withdrawn or
 * revised record retracted (a host's package stays; a feed import never fixes anything).
 */
function findingChanges(c: ImportReply['findings']): string {
  if (c === undefined) return '';
  const parts = [c.opened ? `${c.opened} opened` : '', c.retracted ? `${c.retracted} retracted` : '', c.fixed ? `${c.fixed} fixed` : ''].filter(Boolean);
  return parts.length > 0 ? ` (findings ${parts.join(', ')})` : '';
}

/**
 * A server message about an uploaded file, which names it by the name it was sent under
 * (`a.json: not valid JSON`, `list.json[1] (DSA-1): …`), under the path the user gave instead.
 */
function underUserPath(message: string, sentAs: string, file: string): string {
  return message.startsWith(sentAs) ? `${file}${message.slice(sentAs.length)}` : `${file}: ${message}`;
}

/**
 * Removes what a feed source brought (`DELETE /api/v1/feeds/:source`) and says what the
 * re-assessment of the hosts it reached changed.
 */
export async function feedsForget(api: ApiClient, source: string, opts: { json?: boolean }, io: Io): Promise<number> {
  const reply = await api.delete<{ advisories: number; nvd: number; documents: string[]; hostsReassessed: number; findings: ImportReply['findings'] }>(`/api/v1/feeds/${encodeURIComponent(source)}`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(reply, null, 2)}\n`);
    return 0;
  }
  const documents = reply.documents.length > 0 ? `, enrichment ${reply.documents.join(', ')}` : '';
  io.stdout.write(`forgot feed source ${source}: ${countNoun(reply.advisories, 'advisory record')}, ${countNoun(reply.nvd, 'NVD record')}${documents}; ${countNoun(reply.hostsReassessed, 'host')} re-assessed${findingChanges(reply.findings)}\n`);
  return 0;
}

const ORIGIN_SHOWN = { configured: 'configured', 'no-longer-configured': 'no longer configured', import: 'import' } as const;

export async function feedsStatus(api: ApiClient, opts: { json?: boolean }, io: Io): Promise<number> {
  const { feeds, uncovered } = await api.get<{
    /** `origin` is absent from servers before it was reported. */
    feeds: { name: string; kind: string; origin?: keyof typeof ORIGIN_SHOWN; records: number; ageSeconds: number | null; lastError: string | null }[];
    /** Absent from servers before it was reported. */
    uncovered?: { ecosystem: string; hosts: number }[];
  }>('/api/v1/feeds');
  // Hosts of these ecosystems show no findings because nothing is known about them, not because
  // they are clean. The JSON stays the list it always was, so the notes go to stderr there.
  const notes: string[] = [];
  if (uncovered?.length) notes.push(`no advisories held for ${uncovered.map((u) => `${u.ecosystem} (${countNoun(u.hosts, 'host')})`).join(', ')}`);
  // A source dropped from --feeds still feeds findings with what it brought: say so, so its
  // growing age is not read as a sync that stopped working, nor its records as gone.
  const dropped = feeds.filter((f) => f.origin === 'no-longer-configured');
  if (dropped.length > 0) {
    const held = dropped.map((f) => `${f.name} (${f.records} ${f.records === 1 ? 'record' : 'records'})`).join(', ');
    const one = dropped.length === 1;
    notes.push(`${held}: no longer in the server's --feeds file, so no longer synced; what ${one ? 'it holds' : 'they hold'} is kept and still matched until \`patchwise feeds forget NAME\` (docs/feeds.md)`);
  }
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(feeds, null, 2)}\n`);
    for (const note of notes) io.stderr.write(`patchwise: note: ${note}\n`);
    return 0;
  }
  const age = (s: number | null) => (s === null ? 'never' : s < 3600 ? `${Math.round(s / 60)}m` : s < 172800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`);
  const rows = feeds.map((f) => [f.name, f.kind, String(f.records), age(f.ageSeconds), f.origin ? ORIGIN_SHOWN[f.origin] : '-', f.lastError ?? '']);
  io.stdout.write(textTable(['FEED', 'KIND', 'RECORDS', 'AGE', 'ORIGIN', 'LAST ERROR'], rows));
  for (const note of notes) io.stdout.write(`${note}\n`);
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
          return `${countNoun(s.records ?? 0, 'record')}, ${countNoun(s.hostsReassessed ?? 0, 'host')} re-assessed${s.error ? `; ${s.error}` : ''}`;
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
