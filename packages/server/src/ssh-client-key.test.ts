import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sshPublicKeyOf } from '@patchwise/agent';
import { SSH_CLIENT_KEY_FILE, ensureSshClientKey } from './ssh-client-key.js';

describe('ensureSshClientKey', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'pw-ssh-key-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('makes an Ed25519 key in OpenSSH format, readable by the owner only, and keeps it', () => {
    const dir = dataDir();
    const first = ensureSshClientKey(dir);
    expect(first.created).toBe(true);
    expect(first.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(first.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/=]+ patchwise@\S+$/);
    expect(statSync(join(dir, SSH_CLIENT_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = ensureSshClientKey(dir);
    expect([again.created, again.privateKey, again.publicKey]).toEqual([false, first.privateKey, first.publicKey]);
    expect(sshPublicKeyOf(first.privateKey, 'key')).toBe(first.publicKey);
  });

  it('refuses a file that holds no usable key, naming it', () => {
    const dir = dataDir();
    writeFileSync(join(dir, SSH_CLIENT_KEY_FILE), 'not a key');
    expect(() => ensureSshClientKey(dir)).toThrow(expect.objectContaining({ code: 'PW_CONFIG_INVALID', message: expect.stringContaining(SSH_CLIENT_KEY_FILE) }));
  });
});
