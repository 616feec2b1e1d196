/** Helpers shared by the line-oriented inventory formats (dpkg status, rpm -qa, apk db). */
import { PatchwiseError } from '../errors/index.js';

/** Lines without their terminators (LF or CRLF), a leading byte-order mark dropped. */
export function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(/\r?\n/);
}

/** PW_INPUT_MALFORMED naming the input and the 1-based line. */
export function malformed(source: string, line: number, reason: string): PatchwiseError {
  return new PatchwiseError('PW_INPUT_MALFORMED', `line ${line}: ${reason}`, { input: source });
}
