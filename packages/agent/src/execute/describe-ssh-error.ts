/** What an ssh2 failure means, in words an operator can act on. */

/** `ssh:user@host:port`, with an IPv6 address in brackets. */
export function sshWhere(user: string | undefined, host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `ssh:${user === undefined ? '' : `${user}@`}${h}:${port}`;
}

/** ssh2 marks its errors with a `level`; sockets with a `code`. */
export function describeSshError(err: Error & { level?: string; code?: string | number }, timeoutMs: number): string {
  switch (err.level) {
    case 'client-authentication':
      return "authentication failed: the host does not accept the key (add the server's public key to the user's authorized_keys)";
    case 'client-timeout':
      return `no SSH handshake within ${timeoutMs} ms`;
    default:
      break;
  }
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is sshd listening on that port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach the host (${err.code})`;
    default:
      return err.message;
  }
}
