import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { PatchwiseError } from '../errors/index.js';
import type { InputItem } from './input-document.js';
import { DEFAULT_LIMITS, formatBytes, type InputLimits } from './limits.js';
import { readTar, readZip } from './read-archive.js';

/** Files read ahead of the consumer, so disk reads overlap parsing and matching. */
const READ_AHEAD = 8;

type Loaded = InputItem | { readonly kind: 'archive'; readonly path: string; readonly container: 'zip' | 'tar' | 'tar.gz' };

/**
 * Reads files, directories (recursively, in name order) and archives (.zip, .tar, .tar.gz,
 * single .gz), yielding each document or the problem that kept it from being read. Kinds are
 * told apart by content, not by file name. A bad input never stops the others.
 */
export async function* readInputs(paths: readonly string[], limits: InputLimits = DEFAULT_LIMITS): AsyncGenerator<InputItem> {
  for (const root of paths) {
    const files: string[] = [];
    const problems: InputItem[] = [];
    await collectFiles(root, root, files, problems);
    yield* problems;
    // Read ahead: start loading the next files while the consumer works on this one.
    const pending: Promise<Loaded>[] = [];
    let next = 0;
    const fill = (): void => {
      while (pending.length < READ_AHEAD && next < files.length) pending.push(loadFile(files[next++] as string, root, limits));
    };
    fill();
    while (pending.length > 0) {
      const loaded = await (pending.shift() as Promise<Loaded>);
      fill();
      if (loaded.kind !== 'archive') yield loaded;
      else yield* readArchive(loaded.path, root, loaded.container, limits);
    }
  }
}

/** Lists the files under `path` in name order; hidden entries and directory links are skipped. */
async function collectFiles(path: string, root: string, files: string[], problems: InputItem[]): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    problems.push(problem(path, 'PW_INPUT_UNREADABLE', describeFsError(err)));
    return;
  }
  if (info.isFile()) {
    files.push(path);
    return;
  }
  if (!info.isDirectory()) {
    problems.push(problem(path, 'PW_INPUT_UNREADABLE', 'not a regular file or directory'));
    return;
  }
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    problems.push(problem(path, 'PW_INPUT_UNREADABLE', describeFsError(err)));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // Hidden entries (.git, .DS_Store) are never inventories or advisories; directory symlinks
    // are not followed so that a link loop cannot trap the walk.
    if (entry.name.startsWith('.')) continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) await collectFiles(child, root, files, problems);
    else if (entry.isFile()) files.push(child);
    else if (entry.isSymbolicLink() && (await stat(child).catch(() => undefined))?.isFile()) files.push(child);
  }
}

/** Reads one file whole (within the size limit) and tells a document from an archive by its bytes. */
async function loadFile(path: string, root: string, limits: InputLimits): Promise<Loaded> {
  try {
    const handle = await open(path, 'r');
    let bytes: Buffer;
    try {
      const { size } = await handle.stat();
      if (size > limits.maxDocumentBytes) {
        // Too large to hold whole: fine for an archive (streamed entry by entry), not for a document.
        const container = sniff(await headOf(handle));
        if (container === 'zip' || container === 'tar' || container === 'tar.gz') return { kind: 'archive', path, container };
        return problem(path, 'PW_INPUT_TOO_LARGE', `file is larger than ${formatBytes(limits.maxDocumentBytes)}`);
      }
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
    const container = sniff(bytes);
    if (container === 'plain') return { kind: 'document', name: path, root, bytes };
    if (container === 'gzip') return { kind: 'document', name: path, root, bytes: gunzipBounded(bytes, path, limits) };
    return { kind: 'archive', path, container };
  } catch (err) {
    if (err instanceof PatchwiseError) return { kind: 'problem', name: err.input ?? path, error: err };
    return problem(path, 'PW_INPUT_UNREADABLE', describeFsError(err));
  }
}

async function* readArchive(path: string, root: string, container: 'zip' | 'tar' | 'tar.gz', limits: InputLimits): AsyncGenerator<InputItem> {
  try {
    if (container === 'zip') yield* readZip(path, root, limits);
    else yield* readTar(path, root, container === 'tar.gz', limits);
  } catch (err) {
    if (err instanceof PatchwiseError) yield { kind: 'problem', name: err.input ?? path, error: err };
    else yield problem(path, 'PW_INPUT_UNREADABLE', describeFsError(err));
  }
}

type Container = 'zip' | 'tar' | 'tar.gz' | 'gzip' | 'plain';

function sniff(bytes: Buffer): Container {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) return 'zip';
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return isTarHeader(gunzipPrefix(bytes)) ? 'tar.gz' : 'gzip';
  return isTarHeader(bytes) ? 'tar' : 'plain';
}

async function headOf(handle: FileHandle): Promise<Buffer> {
  const head = Buffer.alloc(4096);
  const { bytesRead } = await handle.read(head, 0, head.length, 0);
  return head.subarray(0, bytesRead);
}

function isTarHeader(block: Buffer): boolean {
  return block.length >= 262 && block.toString('latin1', 257, 262) === 'ustar';
}

/**
 * Inflates the start of a gzip stream, enough to look for a tar header. Only 2 KiB of input is
 * inflated (deflate expands at most ~1032×), so a bomb cannot make the peek itself large.
 */
function gunzipPrefix(bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes.subarray(0, 2048), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 4 * 1024 * 1024 });
  } catch {
    return Buffer.alloc(0);
  }
}

function gunzipBounded(bytes: Buffer, path: string, limits: InputLimits): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: limits.maxDocumentBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PatchwiseError('PW_ARCHIVE_UNSAFE', `gzip expands past ${formatBytes(limits.maxDocumentBytes)} (compression bomb?)`, {
        input: path,
      });
    }
    throw new PatchwiseError('PW_INPUT_MALFORMED', `corrupt gzip data (${(err as Error).message})`, { input: path });
  }
}

function problem(name: string, code: 'PW_INPUT_UNREADABLE' | 'PW_INPUT_TOO_LARGE', reason: string): InputItem {
  return { kind: 'problem', name, error: new PatchwiseError(code, reason, { input: name }) };
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e.message ?? String(err);
  }
}
