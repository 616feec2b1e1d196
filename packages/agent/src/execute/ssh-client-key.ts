/**
 * The key pair a Patchwise server authenticates with to agentless hosts: Ed25519, the private half
 * in OpenSSH's own format (what `ssh-keygen -t ed25519` writes, so `ssh -i` can use it to debug),
 * the public half as an `authorized_keys` line.
 */
import ssh2, { type ParsedKey } from 'ssh2';
import { PatchwiseError } from '@patchwise/core';

export interface SshClientKey {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` …, unencrypted (the file's mode protects it). */
  readonly privateKey: string;
  /** `ssh-ed25519 AAAA… comment`, one line for `~/.ssh/authorized_keys`. */
  readonly publicKey: string;
}

/** A new Ed25519 key pair; `comment` ends the public line (`patchwise@server1`). */
export function generateSshClientKey(comment: string): SshClientKey {
  // ssh2 (1.17) writes about one Ed25519 key in 250 that neither it nor OpenSSH can read back
  // ("Malformed OpenSSH private key"; its public key one byte short): draw again until it reads.
  for (let attempt = 0; attempt < 16; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return { privateKey: pair.private, publicKey: pair.public };
  }
  throw new Error('ssh2 generated 16 Ed25519 keys in a row that do not read back');
}

/**
 * The `authorized_keys` line of a private key (OpenSSH or PEM format), ending with `comment`
 * (default: the key's own comment).
 * Throws PW_CONFIG_INVALID naming `source` when it is not an unencrypted private key.
 */
export function sshPublicKeyOf(privateKey: string, source: string, comment?: string): string {
  // OpenSSH's format can hold several keys; ssh2 returns a list then, and uses the first.
  const found = ssh2.utils.parseKey(privateKey) as ParsedKey | ParsedKey[] | Error;
  const parsed = Array.isArray(found) ? (found[0] ?? new Error('the file holds no key')) : found;
  if (parsed instanceof Error || !parsed.isPrivateKey()) {
    const why = parsed instanceof Error ? parsed.message : 'holds no private key';
    throw new PatchwiseError('PW_CONFIG_INVALID', `not an unencrypted SSH private key: ${why}`, { input: source });
  }
  const line = `${parsed.type} ${parsed.getPublicSSH().toString('base64')}`;
  const label = comment ?? parsed.comment;
  return label === '' ? line : `${line} ${label}`;
}
