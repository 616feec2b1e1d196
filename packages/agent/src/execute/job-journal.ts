/**
 * What the agent remembers about each job, so that a job delivered more than once is applied
 * once: one file per idempotency key in the agent's state directory, `jobs/<sha256 of key>.json`
 * (hashed, so a key is never a path). The versions found before the job are written BEFORE
 * anything changes; a job interrupted by a crash or a reboot is therefore rolled back (or
 * resumed) against the original versions, never against a half-applied state. Files are written
 * whole (temporary file, fsync, rename, directory fsync) with mode 0600: a reader sees the old
 * entry or the new one, never a torn one, even across a power cut.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PatchwiseError, makeDirectoriesAsync, type HealthCheck, type JobReport, type PackageVersion } from '@patchwise/core';

export type JournalState = 'started' | 'finished';

export interface JournalEntry {
  readonly v: 1;
  readonly idempotencyKey: string;
  readonly jobId: string;
  /** SHA-256 of the manifest (sorted-key JSON): the same key must always carry the same job. */
  readonly manifestDigest: string;
  readonly state: JournalState;
  /** The versions found before the job changed anything, for every target (null: not installed). */
  readonly previous: readonly PackageVersion[];
  /** How many times the job was started; more than 1 after interruptions. */
  readonly attempts: number;
  readonly startedAt: string;
  /** The final report, when `state` is `finished`. */
  readonly report: JobReport | null;
  /** With a report that asked for a reboot: the manifest's post-checks, run again once the host is back (absent in entries of earlier agents). */
  readonly postChecks?: readonly HealthCheck[];
}

export class JobJournal {
  /** `<stateDir>/jobs`. */
  readonly dir: string;
  /** Keys of jobs running in this process (one agent process owns one state directory). */
  readonly #running = new Set<string>();

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'jobs');
  }

  /**
   * Marks the job of `idempotencyKey` as running in this process until the returned function is
   * called; throws PW_CONFLICT when it already is (a duplicate delivery arriving mid-job must not
   * run the same job twice at once).
   */
  claim(idempotencyKey: string): () => void {
    if (this.#running.has(idempotencyKey)) {
      throw new PatchwiseError('PW_CONFLICT', 'this job is already running on this host', { input: `idempotency key ${JSON.stringify(idempotencyKey)}` });
    }
    this.#running.add(idempotencyKey);
    return () => this.#running.delete(idempotencyKey);
  }

  /** The entry for `idempotencyKey`, or undefined when this host never started that job. */
  async get(idempotencyKey: string): Promise<JournalEntry | undefined> {
    const path = this.pathOf(idempotencyKey);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new PatchwiseError('PW_INPUT_UNREADABLE', (err as Error).message, { input: path, cause: err });
    }
    let entry: JournalEntry;
    try {
      entry = JSON.parse(text) as JournalEntry;
    } catch (err) {
      // Never treat a damaged entry as "no entry": that would apply the job a second time.
      throw new PatchwiseError('PW_INPUT_MALFORMED', 'job journal entry is not JSON; inspect the host, then remove the file to run the job again', {
        input: path,
        cause: err,
      });
    }
    if (entry?.v !== 1 || entry.idempotencyKey !== idempotencyKey || (entry.state !== 'started' && entry.state !== 'finished')) {
      throw new PatchwiseError('PW_INPUT_INVALID', 'not a job journal entry of this key; inspect the host, then remove the file to run the job again', {
        input: path,
      });
    }
    return entry;
  }

  /** Writes `entry` atomically and durably (replacing any earlier entry of its key). */
  async put(entry: JournalEntry): Promise<void> {
    await makeDirectoriesAsync(this.dir, 0o700);
    const path = this.pathOf(entry.idempotencyKey);
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(entry, null, 2)}\n`, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    // The rename is durable only once the directory itself is on disk.
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** `jobs/<sha256 hex of the key>.json`. */
  pathOf(idempotencyKey: string): string {
    return join(this.dir, `${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex')}.json`);
  }
}
