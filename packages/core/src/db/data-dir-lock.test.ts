import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processStarted } from '../dir-lock/index.js';
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
    expect(readFileSync(lock.path, 'utf8')).toBe(`${process.pid} ${processStarted(process.pid)}\n`);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('takes over a lock left by a killed process or by an earlier run with this pid, and leaves nothing beside it', async () => {
    const d = dir();
    writeFileSync(join(d, DATA_DIR_LOCK_FILE), `${await deadPid()}\n`);
    lockDataDir(d).release();
    writeFileSync(join(d, DATA_DIR_LOCK_FILE), `${process.pid}\n`);
    const lock = lockDataDir(d);
    expect(readFileSync(lock.path, 'utf8')).toBe(`${process.pid} ${processStarted(process.pid)}\n`);
    lock.release();
  });

  it('tells its holder from another process that got the same id later (after a reboot, say)', () => {
    const d = dir();
    const sleeper = spawn('sleep', ['60']);
    try {
      const pid = sleeper.pid!;
      const started = processStarted(pid);
      expect(started).toMatch(/^[0-9a-f-]{36}:\d+$/);
      // The holder's id, with the time it started: refused.
      writeFileSync(join(d, DATA_DIR_LOCK_FILE), `${pid} ${started}\n`);
      expect(() => lockDataDir(d)).toThrow(expect.objectContaining({ code: 'PW_CONFLICT', message: expect.stringContaining(`in use by process ${pid}`) as unknown }));
      // The same id, started in another boot or at another time: a stale lock, taken over.
      for (const stale of [`00000000-0000-0000-0000-000000000000:${started!.split(':')[1]}`, `${started!.split(':')[0]}:1`]) {
        writeFileSync(join(d, DATA_DIR_LOCK_FILE), `${pid} ${stale}\n`);
        lockDataDir(d).release();
      }
    } finally {
      sleeper.kill('SIGKILL');
    }
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
