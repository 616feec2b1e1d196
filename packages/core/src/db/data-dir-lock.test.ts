import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATA_DIR_LOCK_FILE, lockDataDir } from './data-dir-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pw-lock-'));
  dirs.push(d);
  return d;
}

/** The id of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

describe('lockDataDir', () => {
  it('holds the directory for one process: another live process is refused and named, until released', async () => {
    const d = dir();
    const sleeper = spawn('sleep', ['60']);
    try {
      writeFileSync(join(d, DATA_DIR_LOCK_FILE), `${sleeper.pid}\n`);
      expect(() => lockDataDir(d)).toThrow(expect.objectContaining({ code: 'PW_CONFLICT', input: d, message: `${d}: the database directory is in use by process ${sleeper.pid}; one process at a time may open a PGlite directory` }));
      expect(readFileSync(join(d, DATA_DIR_LOCK_FILE), 'utf8')).toBe(`${sleeper.pid}\n`);
    } finally {
      sleeper.kill('SIGKILL');
    }
    await new Promise((r) => sleeper.once('exit', r));
    // Its holder killed, the lock is stale and taken over.
    const lock = lockDataDir(d);
    expect(readFileSync(lock.path, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('takes over a lock left by a killed process or by an earlier run with this pid, and leaves nothing beside it', async () => {
    const d = dir();
    writeFileSync(join(d, DATA_DIR_LOCK_FILE), `${await deadPid()}\n`);
    lockDataDir(d).release();
    writeFileSync(join(d, DATA_DIR_LOCK_FILE), `${process.pid}\n`);
    const lock = lockDataDir(d);
    expect(readFileSync(lock.path, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('releases only its own lock', () => {
    const d = dir();
    const lock = lockDataDir(d, 4_000_001);
    expect(() => lockDataDir(d, 4_000_002, () => true)).toThrow(expect.objectContaining({ message: expect.stringContaining('in use by process 4000001') as unknown }));
    writeFileSync(lock.path, '4000003\n'); // someone took it over meanwhile
    lock.release();
    expect(readFileSync(lock.path, 'utf8')).toBe('4000003\n');
  });
});
