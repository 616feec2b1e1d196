import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PatchwiseError, jobSigningKeyId, makeDirectories, newEd25519PrivateKey } from '@patchwise/core';
import type { ApiClient } from '../api-client.js';
import { whyUnwritable } from '../open-output-file.js';
import { textTable } from '../output/index.js';

type Io = { stdout: NodeJS.WritableStream };

interface KeyView {
  keyId: string;
  publicKey: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
  user?: string;
}

/** `$XDG_CONFIG_HOME/patchwise/signing-key`, else `~/.config/patchwise/signing-key`. */
export function defaultSigningKeyPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'patchwise', 'signing-key');
}

/**
 * The approver's private key from its file. Like ssh, a key others can read is refused: an
 * approval signed with a key that is not only yours is not your approval.
 */
export function readSigningKey(path: string): { privateKey: KeyObject; publicKey: string; keyId: string } {
  let text: string;
  try {
    const mode = statSync(path).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new PatchwiseError('PW_CONFIG_INVALID', `the signing key is readable by others (mode ${mode.toString(8).padStart(4, '0')}); chmod 600 it`, { input: path });
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof PatchwiseError) throw err;
    throw new PatchwiseError('PW_INPUT_UNREADABLE', `${(err as Error).message} (make one with patchwise keys generate)`, { input: path });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(text);
  } catch (err) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'not a private key in PEM', { input: path, cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new PatchwiseError('PW_INPUT_INVALID', 'not an Ed25519 private key', { input: path });
  const publicKey = createPublicKey(privateKey).export({ format: 'jwk' }).x as string;
  return { privateKey, publicKey, keyId: jobSigningKeyId(privateKey) };
}

/**
 * `patchwise keys generate`: a new Ed25519 key pair for signing approvals. The private key is
 * written here (PKCS#8 PEM, mode 0600, its directory 0700) and never sent anywhere; only the
 * public half is registered with the server. An existing key is not overwritten without --force.
 */
export function keysGenerate(opts: { out?: string; force?: boolean }, io: Io): number {
  const path = resolve(opts.out ?? defaultSigningKeyPath());
  if (existsSync(path) && !opts.force) throw new PatchwiseError('PW_USAGE', `a key exists already; pass --force to replace it (approvals signed with it stay valid only while agents pin it)`, { input: path });
  const privateKey = newEd25519PrivateKey();
  try {
    makeDirectories(dirname(path), 0o700);
    writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    chmodSync(path, 0o600);
  } catch (err) {
    if (err instanceof PatchwiseError) throw err;
    throw new PatchwiseError('PW_USAGE', `${opts.out === undefined ? 'the key' : '--out'} ${path}: cannot write there: ${whyUnwritable(err as NodeJS.ErrnoException)}`, { cause: err });
  }
  const key = readSigningKey(path);
  io.stdout.write(`signing key written to ${path} (mode 0600)\npublic key ${key.publicKey}\nkey id ${key.keyId}\nregister it: patchwise keys register${opts.out ? ` --key ${path}` : ''}\n`);
  return 0;
}

/** `patchwise keys register`: uploads the public half of your key. */
export async function keysRegister(api: ApiClient, opts: { key?: string; name?: string }, io: Io): Promise<number> {
  const key = readSigningKey(resolve(opts.key ?? defaultSigningKeyPath()));
  const view = await api.post<KeyView>('/api/v1/users/me/signing-keys', { publicKey: key.publicKey, ...(opts.name ? { name: opts.name } : {}) });
  io.stdout.write(`registered signing key ${view.keyId} (${view.name})\n`);
  return 0;
}

/** `patchwise keys list [--all]`: your keys, or every registered key with its owner (users.manage). */
export async function keysList(api: ApiClient, opts: { all?: boolean; json?: boolean }, io: Io): Promise<number> {
  const { keys } = await api.get<{ keys: KeyView[] }>(opts.all ? '/api/v1/signing-keys' : '/api/v1/users/me/signing-keys');
  if (opts.json) io.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
  else
    io.stdout.write(
      textTable(
        ['KEY ID', ...(opts.all ? ['USER'] : []), 'NAME', 'CREATED', 'REVOKED'],
        keys.map((k) => [k.keyId, ...(opts.all ? [k.user ?? ''] : []), k.name, k.createdAt, k.revokedAt ?? '']),
      ),
    );
  return 0;
}

/**
 * `patchwise keys approvers --user NAME… --required M [--environment E]`: the approvers document
 * agents pin at enrollment (`agent run --approvers FILE`), from the users' current keys; with an
 * environment, only approvals of changes to it count on those agents. Review the key ids with
 * their owners before handing it out: whoever controls this list controls what runs.
 */
export async function keysApprovers(api: ApiClient, opts: { user: string[]; key: string[]; required: string; environment?: string }, io: Io): Promise<number> {
  if (opts.user.length === 0 && opts.key.length === 0) throw new PatchwiseError('PW_USAGE', 'name the approvers: --user NAME or --key KEYID (repeatable)');
  const required = /^[1-9]\d{0,2}$/.test(opts.required) ? Number(opts.required) : NaN;
  const { keys } = await api.get<{ keys: KeyView[] }>('/api/v1/signing-keys');
  const live = keys.filter((k) => k.revokedAt === null);
  const chosen = live.filter((k) => opts.user.includes(k.user ?? '') || opts.key.includes(k.keyId));
  for (const u of opts.user) if (!chosen.some((k) => k.user === u)) throw new PatchwiseError('PW_USAGE', `--user ${u}: has no registered, unrevoked signing key`);
  for (const id of opts.key) if (!chosen.some((k) => k.keyId === id)) throw new PatchwiseError('PW_USAGE', `--key ${id}: no registered, unrevoked signing key has this id`);
  if (!(required >= 1 && required <= chosen.length)) throw new PatchwiseError('PW_USAGE', `--required: must be from 1 to ${chosen.length} (the number of approver keys)`);
  const doc = { approverKeys: chosen.map((k) => k.publicKey), requiredApprovals: required, ...(opts.environment ? { approvalEnvironment: opts.environment } : {}) };
  io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  return 0;
}
