import type { Dirent } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { PatchwiseError } from '../errors/index.js';
import type { InputItem } from './input-document.js';
import { DEFAULT_LIMITS, formatBytes, type InputLimits } from './limits.js';
import { readTar, readZip } from './read-archive.js';

type Container = 'zip' | 'tar' | 'tar.gz' | 'gzip' | 'plain';

/**
 * Reads files, directories (recursively, in name order) and archives (.zip, .tar, .tar.gz),
 * yielding each document or the problem that kept it from being read. Kinds are told apart by
 * content, not by file name. A bad input never stops the others.
 */
export async function* readInputs(paths: readonly string[], limits: InputLimits = DEFAULT_LIMITS): AsyncGenerator<InputItem> {
  for (const path of paths) yield* readPath(path, path, limits);
}

async function* readPath(path: string, root: string, limits: InputLimits): AsyncGenerator<InputItem> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    yield problem(path, 'PW_INPUT_UNREADABLE', describeFsError(err));
    return;
  }
  if (info.isDirectory()) {
    yield* readDirectory(path, root, limits);
    return;
  }
  if (!info.isFile()) {
    yield problem(path, 'PW_INPUT_UNREADABLE', 'not a regular file or directory');
    return;
  }
  try {
    const container = await sniffContainer(path);
    switch (container) {
      case 'zip':
        yield* readZip(path, root, limits);
        return;
      case 'tar':
      case 'tar.gz':
        yield* readTar(path, root, container === 'tar.gz', limits);
        return;
      case 'gzip':
        yield { kind: 'document', name: path, root, bytes: gunzipBounded(await readFile(path), path, limits) };
        return;
      case 'plain':
        if (info.size > limits.maxDocumentBytes) {
          yield problem(path, 'PW_INPUT_TOO_LARGE', `file is larger than ${formatBytes(limits.maxDocumentBytes)}`);
          return;
        }
        yield { kind: 'document', name: path, root, bytes: await readFile(path) };
        return;
    }
  } catch (err) {
    if (err instanceof PatchwiseError) yield { kind: 'problem', name: err.input ?? path, error: err };
    else yield problem(path, 'PW_INPUT_UNREADABLE', describeFsError(err));
  }
}

async function* readDirectory(dir: string, root: string, limits: InputLimits): AsyncGenerator<InputItem> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    yield problem(dir, 'PW_INPUT_UNREADABLE', describeFsError(err));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    // Hidden entries (.git, .DS_Store) are never inventories or advisories; directory symlinks
    // are not followed so that a link loop cannot trap the walk.
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* readDirectory(path, root, limits);
    else if (entry.isFile()) yield* readPath(path, root, limits);
    else if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      if (target?.isFile()) yield* readPath(path, root, limits);
    }
  }
}

async function sniffContainer(path: string): Promise<Container> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(65536);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) return 'zip';
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      return isTarHeader(gunzipPrefix(bytes)) ? 'tar.gz' : 'gzip';
    }
    return isTarHeader(bytes) ? 'tar' : 'plain';
  } finally {
    await handle.close();
  }
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
