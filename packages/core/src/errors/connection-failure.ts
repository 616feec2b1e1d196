/**
 * What a person reads when an HTTP request got no answer at all: the CLI's requests to the admin
 * API and the agent's to the server both fail this way, with fetch's bare "fetch failed".
 */

/** Causes of a failed fetch (undici's `err.cause.code`), as a person reads them. */
const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused): is it running?',
  ECONNRESET: 'the connection was reset)',
  ENOTFOUND: 'no such host name)',
  EAI_AGAIN: 'the host name could not be looked up now)',
  ETIMEDOUT: 'connection timed out)',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out)',
  EHOSTUNREACH: 'host unreachable)',
  ENETUNREACH: 'network unreachable)',
  UND_ERR_SOCKET: 'the connection closed unexpectedly)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS failed: does it serve https there, or plain http?)',
  EPROTO: 'TLS failed: does it serve https there, or plain http?)',
};

/** The TLS certificate check's codes (node:tls), all saying the server's certificate was refused. */
const CERTIFICATE_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/**
 * Why a request to `serverUrl` got no answer at all, from fetch's error: `cannot connect to the
 * server at http://127.0.0.1:8099 (connection refused): is it running?`.
 */
export function connectionFailure(err: unknown, serverUrl: string): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const detail = typeof cause?.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
  const at = `cannot connect to the server at ${serverUrl} (`;
  if (code !== undefined && Object.hasOwn(CONNECT_FAILURES, code)) return at + CONNECT_FAILURES[code];
  if (code !== undefined && CERTIFICATE_FAILURE.test(code)) {
    return `${at}its TLS certificate was refused: ${detail}); trust its CA with NODE_EXTRA_CA_CERTS=FILE`;
  }
  if (err instanceof Error && err.name === 'TimeoutError') return `${at}no answer in time)`;
  return `${at}${detail})`;
}
