/**
 * Reading and parsing one listed inventory file into the compact form of encoded-inventory.ts:
 * the part of a scan that can run in another thread. Its own PackageCache and encoder live as
 * long as the reader, so hosts of one image cost the receiving side almost nothing.
 */
import { PatchwiseError, toWireError, type WireError } from '../errors/index.js';
import { DEFAULT_LIMITS, loadInputFile, type InputLimits } from '../input/index.js';
import { InventoryEncoder, type EncodedInventory } from './encoded-inventory.js';
import { PackageCache } from './package-cache.js';
import { parseInventory, type InventoryParseOptions } from './parse-inventory.js';
import type { InventoryFormat, SkippedCount } from './result.js';

/** What became of one file. */
export type FileReadResult =
  /** Its hosts, encoded in the reader's order, and the entries left out. */
  | { readonly kind: 'parsed'; readonly format: InventoryFormat; readonly hosts: EncodedInventory[]; readonly skipped: SkippedCount[] }
  /** It could not be read or parsed; the scan reports it and goes on. */
  | { readonly kind: 'skipped'; readonly error: WireError }
  /** An archive: its entries are for the receiving side to read (`readInputFile`). */
  | { readonly kind: 'archive' };

/** Options that cross the thread boundary: plain data only. */
export interface InventoryFileReaderOptions {
  readonly limits?: InputLimits | undefined;
  /** As InventoryParseOptions.ecosystem. */
  readonly ecosystem?: string | undefined;
  /** As InventoryParseOptions.osRelease: the text of one os-release file for every input. */
  readonly osRelease?: string | undefined;
}

export class InventoryFileReader {
  private readonly limits: InputLimits;
  private readonly parseOptions: InventoryParseOptions;
  private readonly encoder = new InventoryEncoder();

  constructor(options: InventoryFileReaderOptions = {}) {
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.parseOptions = { packageCache: new PackageCache(), ecosystem: options.ecosystem, osRelease: options.osRelease, maxDepth: this.limits.maxDepth };
  }

  /**
   * Reads `path` (listed under `root`) as a scan does in one thread: the same checks, the same
   * errors. Results must be decoded in the order they were made (one InventoryDecoder per reader).
   */
  read(path: string, root: string): FileReadResult {
    const loaded = loadInputFile(path, root, this.limits);
    if (loaded.kind === 'archive') return { kind: 'archive' };
    if (loaded.kind === 'problem') return { kind: 'skipped', error: toWireError(loaded.error) };
    let parsed;
    try {
      parsed = parseInventory(loaded.text, loaded.name, this.parseOptions);
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      return { kind: 'skipped', error: toWireError(err.withInput(loaded.name)) };
    }
    return { kind: 'parsed', format: parsed.format, hosts: parsed.inventories.map((h) => this.encoder.encode(h)), skipped: parsed.skipped };
  }
}
