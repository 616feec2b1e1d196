/**
 * Limits applied to everything read from outside. They exist so that a hostile or broken input
 * (a compression bomb, a 10 GB file, a document nested 100,000 deep) is refused with a clear
 * error instead of exhausting memory or the stack.
 */
export interface InputLimits {
  /** Largest single document (file or archive entry), in bytes. */
  readonly maxDocumentBytes: number;
  /** Largest total number of bytes an archive may expand to. */
  readonly maxArchiveExpandedBytes: number;
  /** Most entries read from one archive. */
  readonly maxArchiveEntries: number;
  /** Deepest nesting of arrays and objects in a JSON or YAML document. */
  readonly maxDepth: number;
}

export const DEFAULT_LIMITS: InputLimits = {
  maxDocumentBytes: 256 * 1024 * 1024,
  maxArchiveExpandedBytes: 8 * 1024 * 1024 * 1024,
  maxArchiveEntries: 2_000_000,
  maxDepth: 64,
};

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 / 1024 / 1024).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
