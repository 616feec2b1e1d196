import { isPatchwiseError } from '../../src/errors/index.js';

/** What a test checks of a PatchwiseError. */
export interface Caught {
  code: string;
  message: string;
  input: string | undefined;
}

/**
 * Calls `fn` and returns the code, message and input of the PatchwiseError it throws. Anything
 * else it throws is thrown again; returning normally is an error too.
 */
export function caught(fn: () => unknown): Caught {
  try {
    fn();
  } catch (err) {
    if (!isPatchwiseError(err)) throw err;
    return { code: err.code, message: err.message, input: err.input };
  }
  throw new Error('expected a PatchwiseError, but nothing was thrown');
}
