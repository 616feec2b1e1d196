/**
 * Reading inventories in this thread: files, directories and archives through the input module,
 * each document parsed as it comes. A scan with parser threads uses the same pieces per file.
 */
import { PatchwiseError } from '../errors/index.js';
import { DEFAULT_LIMITS, listInputFiles, readInputFile, type InputFile, type InputLimits, type InputProblem } from '../input/index.js';
import { parseInventory, type InventoryParseOptions } from './parse-inventory.js';
import type { InventoryParseResult } from './result.js';

/** One input's hosts, or why it (or an archive entry) was skipped; the reading goes on. */
export type InventoryReadEvent =
  | { readonly kind: 'parsed'; readonly result: InventoryParseResult }
  | { readonly kind: 'skipped'; readonly error: PatchwiseError };

export interface ReadInventoriesOptions {
  readonly limits?: InputLimits | undefined;
  /** Passed to parseInventory for every document; give a PackageCache to share packages. */
  readonly inventory?: InventoryParseOptions | undefined;
}

/** Reads and parses every inventory under `paths`, in the order of `listInputFiles`. */
export async function* readInventories(paths: readonly string[], options: ReadInventoriesOptions = {}): AsyncGenerator<InventoryReadEvent> {
  for (const root of paths) yield* readListedInventories(listInputFiles([root]), options);
}

/** The same for a listing already made (`listInputFiles`). */
export async function* readListedInventories(
  listed: Iterable<InputFile | InputProblem>,
  options: ReadInventoriesOptions = {},
): AsyncGenerator<InventoryReadEvent> {
  for (const entry of listed) {
    if (entry.kind === 'problem') yield { kind: 'skipped', error: entry.error };
    else yield* readInventoryFile(entry.path, entry.root, options);
  }
}

/** Reads and parses one listed file (a document, or every document of an archive). */
export async function* readInventoryFile(path: string, root: string, options: ReadInventoriesOptions = {}): AsyncGenerator<InventoryReadEvent> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const parseOptions = { ...options.inventory, maxDepth: limits.maxDepth };
  for await (const item of readInputFile(path, root, limits)) {
    if (item.kind === 'problem') {
      yield { kind: 'skipped', error: item.error };
      continue;
    }
    let result;
    try {
      result = parseInventory(item.text, item.name, parseOptions);
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      yield { kind: 'skipped', error: err.withInput(item.name) };
      continue;
    }
    yield { kind: 'parsed', result };
  }
}
