/**
 * The jobs whose host this agent asked to reboot and which it has not yet reported back from:
 * one small file per job in `<stateDir>/reboots`, written before the reboot is requested, so the
 * agent that starts after the reboot knows which reports to complete.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectoriesAsync } from '@patchwise/core';

export class PendingReboots {
  constructor(readonly dir: string) {}

  async add(idempotencyKey: string): Promise<void> {
    await makeDirectoriesAsync(this.dir, 0o700);
    const file = this.fileOf(idempotencyKey);
    await writeFile(`${file}.tmp`, JSON.stringify({ idempotencyKey }), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  async remove(idempotencyKey: string): Promise<void> {
    await rm(this.fileOf(idempotencyKey), { force: true });
  }

  /** The idempotency keys waiting; an entry torn by a crash before its rename is dropped (its report never said `rebooted`). */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    const keys: string[] = [];
    for (const name of names) {
      try {
        keys.push((JSON.parse(await readFile(join(this.dir, name), 'utf8')) as { idempotencyKey: string }).idempotencyKey);
      } catch {
        await rm(join(this.dir, name), { force: true });
      }
    }
    return keys;
  }

  private fileOf(idempotencyKey: string): string {
    return join(this.dir, `${createHash('sha256').update(idempotencyKey).digest('hex')}.json`);
  }
}
