export { ERROR_CODES, PatchwiseError, assertNever, isPatchwiseError } from './patchwise-error.js';
export type { ErrorCode, ErrorDetails } from './patchwise-error.js';
