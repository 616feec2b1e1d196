/**
 * Where and how an agentless host is reached over SSH: address, port, user, and the host key
 * fingerprint pinned for it. Validated here once, so the API, the CLI and the SSH runner agree.
 */
import { PatchwiseError } from '../errors/index.js';

export interface SshTarget {
  /** DNS name or IP address (IPv6 without brackets). */
  readonly address: string;
  readonly port: number;
  /** The remote account the commands run as. */
  readonly user: string;
  /** OpenSSH-style fingerprint of the pinned host key: `SHA256:` and 43 unpadded base64 characters. */
  readonly hostKeySha256: string;
}

/**
 * `SHA256:` then the unpadded base64 of 32 bytes, as `ssh-keygen -lf` and `ssh-keyscan | ssh-keygen -lf -`
 * print it. The last character carries 2 padding bits, so only 16 characters can end a real digest.
 */
const HOST_KEY_SHA256 = /^SHA256:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]$/;
/** RFC 1123 names, IPv4, and IPv6 (letters, digits, `.`, `:`, `-`, `%` for a zone); never starting with `-`. */
const ADDRESS = /^[A-Za-z0-9:.%_][A-Za-z0-9:.%_-]{0,252}$/;
/** POSIX portable user names (what useradd accepts by default), at most 32 characters. */
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

/**
 * Checks a pinned fingerprint. Accepts what `ssh-keygen -lf` prints in full
 * (`256 SHA256:… comment (ED25519)`) too, and returns the `SHA256:…` part, because operators paste
 * that line as it is. Throws PW_INPUT_INVALID naming `source` otherwise.
 */
export function parseHostKeySha256(value: unknown, source: string): string {
  if (typeof value !== 'string') throw invalid(source, 'hostKeySha256', 'must be a string such as SHA256:AbC…');
  const found = value.trim().split(/\s+/).find((word) => word.startsWith('SHA256:')) ?? value.trim();
  if (!HOST_KEY_SHA256.test(found)) {
    throw invalid(source, 'hostKeySha256', `"${value.slice(0, 120)}" is not an OpenSSH SHA256 fingerprint (SHA256: and 43 base64 characters, as ssh-keygen -lf prints)`);
  }
  return found;
}

/** Checks every field of an SSH target (PW_INPUT_INVALID naming the field); the port defaults to 22. */
export function parseSshTarget(value: { address?: unknown; port?: unknown; user?: unknown; hostKeySha256?: unknown }, source: string): SshTarget {
  const { user } = value;
  const port = value.port ?? 22;
  // `[2001:db8::1]` as people write an IPv6 address beside a port.
  const address = typeof value.address === 'string' ? value.address.replace(/^\[(.*)\]$/, '$1') : value.address;
  if (typeof address !== 'string' || !ADDRESS.test(address)) throw invalid(source, 'address', 'must be a host name or IP address (letters, digits, . : - %, not starting with -)');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw invalid(source, 'port', 'must be an integer from 1 to 65535');
  if (typeof user !== 'string' || !USER.test(user)) throw invalid(source, 'user', 'must be a user name: a letter or _, then letters, digits, _ . - (at most 32)');
  return { address, port, user, hostKeySha256: parseHostKeySha256(value.hostKeySha256, source) };
}

function invalid(source: string, field: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_INPUT_INVALID', `${field}: ${reason}`, { input: source });
}
