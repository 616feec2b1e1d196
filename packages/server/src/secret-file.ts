import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a secret (a private key, a token) to `path` with mode 0600, whole or not at all: the
 * content goes to a temporary file beside it, is synced, and then takes the name `path`, and the
 * directory is synced. A server killed while making its keys on first start therefore never
 * leaves an empty or half-written key file, which the next start would have to refuse. Unless
 * `replace`, an existing `path` is never overwritten (EEXIST): a key another process has just
 * made, and may already sign with, stays.
 */
export function writeSecretFile(path: string, content: string, options: { readonly replace?: boolean } = {}): void {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.replace) renameSync(temp, path);
    else linkSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
