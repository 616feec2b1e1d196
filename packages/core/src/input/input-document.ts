import type { PatchwiseError } from '../errors/index.js';

/** One document read from outside: a file, or one entry of an archive. */
export interface InputDocument {
  readonly kind: 'document';
  /** Where it came from: a path, or `archive.tar.gz!inner/path.json`. */
  readonly name: string;
  /** The path the caller asked for; differs from `name` for files found in a directory or archive. */
  readonly root: string;
  /** The content decoded as UTF-8, without a leading byte-order mark. */
  readonly text: string;
}

/** An input that could not be read; the reading goes on with the others. */
export interface InputProblem {
  readonly kind: 'problem';
  readonly name: string;
  readonly error: PatchwiseError;
  /**
   * True when the problem cut an archive short (truncated, corrupt, past a limit): the documents
   * yielded from it before are only the part read up to here, not the archive.
   */
  readonly incomplete?: true;
}

export type InputItem = InputDocument | InputProblem;
