import { ERROR_CODES, PatchwiseError, type ErrorCode } from './patchwise-error.js';

/**
 * The error a client raises for a failed API response: the server's `{ error: { code, message } }`
 * when the body is one (and the code is one Patchwise knows), else PW_SERVER_UNREACHABLE with the
 * status line. Shared by the CLI's admin client and the agent.
 */
export function errorFromResponse(status: number, body: string, context: string, input?: string): PatchwiseError {
  let code: ErrorCode = 'PW_SERVER_UNREACHABLE';
  let message = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const c = parsed.error?.code;
    if (typeof c === 'string' && Object.hasOwn(ERROR_CODES, c)) code = c as ErrorCode;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // not a Patchwise error body; keep the status line
  }
  return new PatchwiseError(code, `${context}: ${message}`, input === undefined ? {} : { input });
}
