import { openSync } from 'node:fs';
import { PatchwiseError } from '@patchwise/core';

/** Why a file could not be opened for writing (or its directory made), in a person's words. */
export function whyUnwritable(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'its directory does not exist';
    case 'EISDIR':
      return 'a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'a read-only file system';
    case 'ENOTDIR':
    case 'EEXIST': // from making its directories: a part of the path exists, as a file
      return 'a part of the path is not a directory';
    default:
      return err.message;
  }
}

/**
 * Opens (creates or truncates) the file an `--output` option names and returns its descriptor,
 * before any work is done: a path that cannot be written is bad usage (exit 2, the option and the
 * reason named), not an unhandled stream error with a stack trace after the export ran.
 */
export function openOutputFile(path: string, mode = 0o666, option = '--output'): number {
  try {
    return openSync(path, 'w', mode);
  } catch (err) {
    throw new PatchwiseError('PW_USAGE', `${option} ${path}: cannot write there: ${whyUnwritable(err as NodeJS.ErrnoException)}`, { cause: err });
  }
}
