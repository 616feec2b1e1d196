import type { FileReadResult, InventoryFileReaderOptions } from '@patchwise/core/inventory';

/** What a parser thread starts with (its `workerData`). */
export type ThreadStart = InventoryFileReaderOptions;

/** One listed file to read; `seq` is its place in the listing. */
export interface ThreadTask {
  readonly seq: number;
  readonly path: string;
  readonly root: string;
}

export type ThreadReply = { readonly seq: number; readonly result: FileReadResult } | { readonly seq: number; readonly crash: string };
