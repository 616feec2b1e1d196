/**
 * Every error Patchwise raises on purpose carries a stable code (documented in docs/errors.md).
 * Callers branch on `code`, never on the message; the CLI prints the message without a stack,
 * and the server maps codes to HTTP statuses in one place.
 */
export const ERROR_CODES = {
  PW_USAGE: 'bad command-line usage',
  PW_VERSION_INVALID: 'a version string is not valid for its ecosystem',
  PW_ECOSYSTEM_UNKNOWN: 'an ecosystem name is not known',
  PW_INPUT_UNREADABLE: 'an input file or directory cannot be read',
  PW_INPUT_MALFORMED: 'an input is not well-formed JSON, YAML, CSV or text of its format',
  PW_INPUT_INVALID: 'an input is well-formed but breaks its schema',
  PW_INPUT_TOO_LARGE: 'an input exceeds a size limit',
  PW_INPUT_TOO_DEEP: 'an input is nested deeper than the limit',
  PW_INPUT_FORMAT_UNKNOWN: 'an input matches no supported format',
  PW_MEDIA_TYPE_UNSUPPORTED: 'a request body is in a media type (content-type) the route does not take',
  PW_ARCHIVE_UNSAFE: 'an archive entry has an unsafe path or type, or the archive expands too far',
  PW_CONFIG_INVALID: 'a setting (option, environment variable, config file) is invalid',
  PW_DATABASE: 'the database refused an operation or a migration failed',
  PW_UNAUTHENTICATED: 'a request carries no valid credentials',
  PW_FORBIDDEN: 'the credentials are valid but not allowed to do this',
  PW_NOT_FOUND: 'the thing asked for does not exist',
  PW_CONFLICT: 'the request conflicts with the current state',
  PW_QUARANTINED: 'the host is quarantined; its agent is refused until an admin releases it',
  PW_HOST_RETIRED: 'the host was retired; its agent is refused for good (enroll the machine again to bring it back)',
  PW_RATE_LIMITED: 'too many requests in a short time',
  PW_APPROVAL_REQUIRED: 'the change has not been approved (or its approval expired) as its approval policy requires',
  PW_MANIFEST_REJECTED: 'a job manifest is unsigned, altered, for another host, replayed or expired; the executor refuses it',
  PW_HOST_KEY_MISMATCH: 'an SSH host presented a key other than the one pinned for it',
  PW_HOST_UNREACHABLE: 'an agentless host cannot be reached over SSH, refused the key, or did not answer in time',
  PW_INTERNAL: 'an unexpected failure; the details are in the server log',
  PW_SERVER_UNREACHABLE: 'the Patchwise server cannot be reached or answered with an error',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetails {
  /** The file, archive entry, line or string the error is about. */
  readonly input?: string;
  readonly cause?: unknown;
}

export class PatchwiseError extends Error {
  readonly code: ErrorCode;
  readonly input: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(details.input ? `${details.input}: ${message}` : message, { cause: details.cause });
    this.name = 'PatchwiseError';
    this.code = code;
    this.input = details.input;
  }

  /** The same error, attributed to an input (a file, an archive entry) when it was not yet. */
  withInput(input: string): PatchwiseError {
    if (this.input) return this;
    return new PatchwiseError(this.code, this.message, { input, cause: this.cause });
  }
}

export function isPatchwiseError(err: unknown): err is PatchwiseError {
  return err instanceof PatchwiseError;
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${String(value)}`);
}
