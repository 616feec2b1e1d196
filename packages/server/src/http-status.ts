import { assertNever, type ErrorCode } from '@patchwise/core';

/** The one place error codes become HTTP statuses (docs/errors.md). */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'PW_USAGE':
    case 'PW_VERSION_INVALID':
    case 'PW_ECOSYSTEM_UNKNOWN':
    case 'PW_INPUT_MALFORMED':
    case 'PW_INPUT_INVALID':
    case 'PW_INPUT_TOO_DEEP':
    case 'PW_INPUT_FORMAT_UNKNOWN':
    case 'PW_ARCHIVE_UNSAFE':
    case 'PW_CONFIG_INVALID':
    case 'PW_INPUT_UNREADABLE':
      return 400;
    case 'PW_UNAUTHENTICATED':
      return 401;
    case 'PW_FORBIDDEN':
    case 'PW_QUARANTINED':
    case 'PW_HOST_RETIRED':
    case 'PW_MANIFEST_REJECTED':
      return 403;
    case 'PW_NOT_FOUND':
      return 404;
    case 'PW_CONFLICT':
    case 'PW_APPROVAL_REQUIRED':
      return 409;
    case 'PW_INPUT_TOO_LARGE':
      return 413;
    case 'PW_MEDIA_TYPE_UNSUPPORTED':
      return 415;
    case 'PW_RATE_LIMITED':
      return 429;
    case 'PW_HOST_KEY_MISMATCH':
    case 'PW_HOST_UNREACHABLE':
      // The server did its part; the host it was asked to reach did not (a gateway's error).
      return 502;
    case 'PW_DATABASE':
    case 'PW_INTERNAL':
    case 'PW_SERVER_UNREACHABLE':
      return 500;
    default:
      return assertNever(code, 'error code');
  }
}
