import { PatchwiseError } from '@patchwise/core/assessment';

/**
 * A server URL as given (`--server`, PATCHWISE_URL, a data directory's server.json), checked
 * before any request: `127.0.0.1:8080` would otherwise fail as "Invalid URL" with a stack, or
 * parse as a URL of scheme `127.0.0.1:`.
 */
export function checkServerUrl(value: string, setting: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new PatchwiseError('PW_CONFIG_INVALID', `${setting} must be a URL starting with http:// or https://, e.g. http://127.0.0.1:8080, not "${value}"`);
  }
  return value;
}
