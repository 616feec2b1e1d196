export { connectionFailure } from './connection-failure.js';
export { ERROR_CODES, PatchwiseError, assertNever, isPatchwiseError } from './patchwise-error.js';
export { errorFromResponse } from './error-from-response.js';
export type { ErrorCode, ErrorDetails } from './patchwise-error.js';
export { fromWireError, toWireError } from './wire-error.js';
export type { WireError } from './wire-error.js';
