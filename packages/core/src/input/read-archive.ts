import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type * as Yauzl from 'yauzl';
import { PatchwiseError } from '../errors/index.js';
import { unsafeEntryPath } from './archive-entry-path.js';
import { decodeText } from './parse-document.js';
import type { InputItem } from './input-document.js';
import { formatBytes, type InputLimits } from './limits.js';

/** Reads a whole stream into one buffer, refusing to go past `maxBytes`. */
type BoundedSource = AsyncIterable<Buffer> & { destroy(): unknown };

async function readBounded(stream: BoundedSource, maxBytes: number, name: string, budget: Budget): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    budget.spend(chunk.length, name);
    if (size > maxBytes) {
      stream.destroy();
      throw new PatchwiseError('PW_INPUT_TOO_LARGE', `entry expands past the document limit of ${formatBytes(maxBytes)}`, {
        input: name,
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Counts expanded bytes over a whole archive, so a compression bomb stops early. */
class Budget {
  private used = 0;
  constructor(
    private readonly limit: number,
    private readonly archive: string,
  ) {}
  spend(bytes: number, _entry: string): void {
    this.used += bytes;
    if (this.used > this.limit) {
      throw new PatchwiseError(
        'PW_ARCHIVE_UNSAFE',
        `archive expands past ${formatBytes(this.limit)} (compression bomb?); stopped reading it`,
        { input: this.archive },
      );
    }
  }
}

function tooLarge(name: string, limits: InputLimits): InputItem {
  const error = new PatchwiseError('PW_INPUT_TOO_LARGE', `entry is larger than ${formatBytes(limits.maxDocumentBytes)}`, { input: name });
  return { kind: 'problem', name, error };
}

function entryProblem(name: string, reason: string): InputItem {
  return { kind: 'problem', name, error: new PatchwiseError('PW_ARCHIVE_UNSAFE', reason, { input: name }) };
}

/** Yields the regular files of a `.tar`, `.tar.gz` or `.tgz` archive; refuses links, devices and unsafe paths. */
export async function* readTar(path: string, root: string, gzipped: boolean, limits: InputLimits): AsyncGenerator<InputItem> {
  // The archive libraries load on first use: most scans read plain files, and start-up counts (issue 2).
  const extract = (await import('tar-stream')).extract();
  const source = createReadStream(path);
  const budget = new Budget(limits.maxArchiveExpandedBytes, path);
  const input = gzipped ? source.pipe(createGunzip()) : source;
  // Errors on the source side (bad gzip, truncated file) must reach the iterator, not crash.
  input.on('error', (err: Error) => extract.destroy(err));
  source.on('error', (err: Error) => extract.destroy(err));
  input.pipe(extract);
  let entries = 0;
  try {
    for await (const entry of extract) {
      const name = `${path}!${entry.header.name}`;
      entries++;
      if (entries > limits.maxArchiveEntries) {
        throw new PatchwiseError('PW_ARCHIVE_UNSAFE', `more than ${limits.maxArchiveEntries} entries`, { input: path });
      }
      const type = entry.header.type;
      const unsafe = unsafeEntryPath(entry.header.name);
      if (unsafe) {
        entry.resume();
        yield entryProblem(name, unsafe);
      } else if (type === 'directory') {
        entry.resume();
      } else if (type !== 'file' && type !== 'contiguous-file') {
        entry.resume();
        yield entryProblem(name, `entry is a ${type ?? 'special file'}, not a regular file`);
      } else if ((entry.header.size ?? 0) > limits.maxDocumentBytes) {
        entry.resume();
        yield tooLarge(name, limits);
      } else {
        const bytes = await readBounded(entry as unknown as BoundedSource, limits.maxDocumentBytes, name, budget);
        yield { kind: 'document', name, root, text: decodeText(bytes) };
      }
    }
  } catch (err) {
    extract.destroy();
    source.destroy();
    throw asArchiveError(err, path);
  }
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

/** Yields the regular files of a `.zip` archive; refuses symlinks, unsafe paths and oversize entries. */
export async function* readZip(path: string, root: string, limits: InputLimits): AsyncGenerator<InputItem> {
  const yauzl = (await import('yauzl')).default;
  let zip: Yauzl.ZipFile;
  try {
    // decodeStrings=false: yauzl would abort the whole archive on one bad name; we skip that entry instead.
    zip = await yauzl.openPromise(path, { decodeStrings: false, validateEntrySizes: true });
  } catch (err) {
    throw asArchiveError(err, path);
  }
  const budget = new Budget(limits.maxArchiveExpandedBytes, path);
  let entries = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const entryName = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileName as unknown as Buffer,
        entry.extraFields,
        false,
      );
      const name = `${path}!${entryName}`;
      if (++entries > limits.maxArchiveEntries) {
        throw new PatchwiseError('PW_ARCHIVE_UNSAFE', `more than ${limits.maxArchiveEntries} entries`, { input: path });
      }
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      const unsafe = unsafeEntryPath(entryName);
      if (unsafe) yield entryProblem(name, unsafe);
      else if (entryName.endsWith('/')) continue;
      else if (mode !== 0 && mode !== S_IFREG) yield entryProblem(name, 'entry is a symbolic link or special file');
      else if (entry.uncompressedSize > limits.maxDocumentBytes) yield tooLarge(name, limits);
      else {
        const stream = await zip.openReadStreamPromise(entry);
        yield { kind: 'document', name, root, text: decodeText(await readBounded(stream, limits.maxDocumentBytes, name, budget)) };
      }
    }
  } catch (err) {
    throw asArchiveError(err, path);
  } finally {
    zip.close();
  }
}

function asArchiveError(err: unknown, path: string): PatchwiseError {
  if (err instanceof PatchwiseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PatchwiseError('PW_INPUT_MALFORMED', `unreadable archive (${message})`, { input: path, cause: err });
}
