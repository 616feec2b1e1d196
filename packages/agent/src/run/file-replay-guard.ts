import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_MANIFEST_LIFETIME_MS, makeDirectories, type ReplayGuard } from '@patchwise/core';

/**
 * How long past its manifest's expiry an accepted job id is kept. Expired manifests are refused
 * by the clock alone, but a clock can step back (an NTP correction, a VM restored from a
 * snapshot); a day covers such steps.
 */
export const REPLAY_MARGIN_MS = 86_400_000;

const ENTRY = /^[0-9a-f]{64}\.json$/;

/**
 * The agent's record of accepted job ids: one small file per job under `dir` (normally
 * `<state>/accepted-jobs`), named by the SHA-256 of the job id (ids are signed, but still never
 * become paths). An entry is written to a temporary file, synced, then hard-linked into place:
 * the link is atomic and fails if the entry exists, so two deliveries racing for one job cannot
 * both win, and a crash never leaves a half-written entry. Entries whose manifest expired more
 * than `marginMs` ago are pruned as new ones are recorded.
 */
export class FileReplayGuard implements ReplayGuard {
  constructor(
    readonly dir: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly marginMs: number = REPLAY_MARGIN_MS,
  ) {}

  seen(jobId: string): boolean {
    return existsSync(this.entryPath(jobId));
  }

  remember(jobId: string, expiresAt: Date): boolean {
    makeDirectories(this.dir, 0o700);
    this.prune();
    const temp = join(this.dir, `.${randomBytes(8).toString('hex')}.tmp`);
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeFileSync(fd, `${JSON.stringify({ jobId, expiresAt: expiresAt.toISOString(), acceptedAt: this.clock().toISOString() })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, this.entryPath(jobId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      unlinkSync(temp);
    }
    syncDirectory(this.dir);
    return true;
  }

  /** Deletes entries no longer needed; returns how many. */
  prune(): number {
    if (!existsSync(this.dir)) return 0;
    const now = this.clock().getTime();
    let pruned = 0;
    for (const name of readdirSync(this.dir)) {
      if (!ENTRY.test(name)) continue;
      const path = join(this.dir, name);
      if (keepUntil(path) + this.marginMs < now) {
        unlinkSync(path);
        pruned++;
      }
    }
    return pruned;
  }

  private entryPath(jobId: string): string {
    return join(this.dir, `${createHash('sha256').update(jobId, 'utf8').digest('hex')}.json`);
  }
}

/** When an entry stops mattering: its manifest's expiry, or for an unreadable entry the longest a manifest can live. */
function keepUntil(path: string): number {
  try {
    const expiresAt = Date.parse((JSON.parse(readFileSync(path, 'utf8')) as { expiresAt?: unknown }).expiresAt as string);
    if (Number.isFinite(expiresAt)) return expiresAt;
  } catch {
    // damaged by hand or by the disk: fall through and keep it as long as any manifest could live
  }
  return statSync(path).mtimeMs + MAX_MANIFEST_LIFETIME_MS;
}

/** Makes the new directory entry durable: a power cut right after must not forget the job. */
function syncDirectory(dir: string): void {
  // Windows cannot open a directory to sync it; NTFS journals the entry itself.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
