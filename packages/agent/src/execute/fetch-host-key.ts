/**
 * Host key fingerprints as OpenSSH prints them, and reading the key a server presents (what
 * `ssh-keyscan HOST | ssh-keygen -lf -` shows) so an operator can pin it.
 */
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { PatchwiseError } from '@patchwise/core';
import { describeSshError, sshWhere } from './describe-ssh-error.js';

/**
 * The host key algorithms Patchwise offers, most preferred first. Connecting and fetching offer
 * the same list, so a server with several host keys presents the same one to both: its Ed25519
 * key when it has one (OpenSSH makes one by default), then ECDSA, then RSA.
 */
export const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;

/** `SHA256:` and the unpadded base64 SHA-256 of the key blob: what `ssh-keygen -lf` prints. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export interface FetchHostKeyOptions {
  /** Milliseconds for the TCP connection and key exchange (default 20 000). */
  readonly timeoutMs?: number;
}

/**
 * Connects to `host:port`, takes the host key it presents during key exchange, and disconnects
 * before authenticating (nothing runs and no credential is sent). Resolves with its fingerprint.
 *
 * The answer is only as trustworthy as the network path it came over: pinning it without
 * comparing it to the key on the host itself (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`
 * run there, or the provisioning system's record) is trust on first use, and a man in the middle
 * on that first connection would be pinned instead.
 *
 * Throws PW_HOST_UNREACHABLE when the host does not complete a key exchange.
 */
export function fetchHostKey(host: string, port = 22, options: FetchHostKeyOptions = {}): Promise<string> {
  const where = sshWhere(undefined, host, port);
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let presented: string | undefined;
    let lastError: string | undefined;
    const done = () => {
      client.removeAllListeners();
      client.on('error', () => undefined); // late socket errors after the verdict change nothing
      client.end();
      if (presented !== undefined) resolve(presented);
      else reject(new PatchwiseError('PW_HOST_UNREACHABLE', `no host key received: ${lastError ?? 'the connection closed'}`, { input: where }));
    };
    client.on('error', (err) => {
      lastError = describeSshError(err, timeoutMs);
      done();
    });
    client.on('close', done);
    client.on('ready', done); // cannot happen (the key is refused) but would end the attempt too
    try {
      client.connect({
        host,
        port,
        username: 'patchwise-host-key-probe',
        readyTimeout: timeoutMs,
        algorithms: { serverHostKey: [...HOST_KEY_ALGORITHMS] },
        hostVerifier: (key: Buffer) => {
          presented = sshFingerprint(key);
          return false; // refuse: the handshake stops before authentication
        },
      });
    } catch (err) {
      reject(new PatchwiseError('PW_HOST_UNREACHABLE', describeSshError(err as Error, timeoutMs), { input: where, cause: err }));
    }
  });
}
