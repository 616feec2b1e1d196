import type { PatchwiseError } from '../errors/index.js';
import { listInputFiles, loadInputFile } from '../input/index.js';

/** Names of feed documents (OSV JSON/YAML, KEV and NVD JSON, EPSS CSV), gzipped or not. */
const FEED_DOCUMENT_NAME = /\.(json|ya?ml|csv)(\.gz)?$/i;

/**
 * Whether a file met inside a directory or an archive is read as a feed document. Feeds ship
 * README and LICENSE files beside their records; those are left out. A file named directly is
 * read whatever its name, so this is asked only of what a walk finds.
 */
export function isFeedDocumentName(name: string): boolean {
  return FEED_DOCUMENT_NAME.test(name);
}

/** What `listFeedFiles` found: files to import one by one, and what was left out and why. */
export interface FeedFileList {
  /** Each with the path the caller gave it under (`root`), in the walk's order. */
  readonly files: readonly { readonly path: string; readonly root: string }[];
  /** Files under a directory that no feed reader reads (README.md, LICENSE). */
  readonly skipped: readonly string[];
  /** Paths that could not be listed (missing, unreadable). */
  readonly problems: readonly PatchwiseError[];
}

/**
 * The files of these paths that an import reads, found by the same walk as every other reader
 * (`listInputFiles`: directories recursively, in name order, hidden entries left out) and kept by
 * the same rule as `readFeedBatch`: a file named directly, a feed document name, or an archive
 * (told by its bytes, as readInputs does; its entries are filtered when it is read).
 */
export function listFeedFiles(paths: readonly string[]): FeedFileList {
  const files: { path: string; root: string }[] = [];
  const skipped: string[] = [];
  const problems: PatchwiseError[] = [];
  for (const entry of listInputFiles(paths)) {
    if (entry.kind === 'problem') problems.push(entry.error);
    else if (entry.path === entry.root || isFeedDocumentName(entry.path) || isArchive(entry.path, entry.root)) files.push({ path: entry.path, root: entry.root });
    else skipped.push(entry.path);
  }
  return { files, skipped, problems };
}

function isArchive(path: string, root: string): boolean {
  return loadInputFile(path, root).kind === 'archive';
}
