import { ERROR_CODES, PatchwiseError, type ErrorCode } from './patchwise-error.js';

/**
 * A PatchwiseError as plain data, for crossing a thread boundary (structured clone keeps neither
 * the class nor the `code` and `input` fields). The cause is not kept: it is never shown.
 */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly input: string | undefined;
}

export function toWireError(err: PatchwiseError): WireError {
  return { code: err.code, message: err.message, input: err.input };
}

/** The error again, with the same code, input and message (the message already names the input). */
export function fromWireError(wire: WireError): PatchwiseError {
  if (!Object.hasOwn(ERROR_CODES, wire.code)) return new PatchwiseError('PW_INTERNAL', wire.message);
  const prefix = wire.input ? `${wire.input}: ` : '';
  const message = prefix !== '' && wire.message.startsWith(prefix) ? wire.message.slice(prefix.length) : wire.message;
  return new PatchwiseError(wire.code, message, wire.input ? { input: wire.input } : {});
}
