import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDirectory, processStarted } from './lock-directory.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pw-dir-lock-'));
  dirs.push(d);
  return d;
}
const options = { file: 'thing.lock', refusal: (pid: number) => `a thing runs here (process ${pid})` };

describe('lockDirectory', () => {
  it('uses the file and the refusal it is given', () => {
    const d = dir();
    const lock = lockDirectory(d, options);
    expect(lock.path).toBe(join(d, 'thing.lock'));
    expect(readFileSync(lock.path, 'utf8')).toBe(`${process.pid} ${processStarted(process.pid)}\n`);
    expect(() => lockDirectory(d, { ...options, pid: 4_000_009, alive: () => true })).toThrow(
      expect.objectContaining({ code: 'PW_CONFLICT', input: d, message: `${d}: a thing runs here (process ${process.pid})` }),
    );
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('refuses a second holder in this same process, and takes the lock once the first released it', () => {
    const d = dir();
    const first = lockDirectory(d, options);
    // Same process id: not a previous incarnation's lock, since this process holds it now.
    expect(() => lockDirectory(d, options)).toThrow(expect.objectContaining({ code: 'PW_CONFLICT', message: `${d}: a thing runs here (process ${process.pid})` }));
    expect(existsSync(first.path)).toBe(true);
    first.release();
    const second = lockDirectory(d, options);
    first.release(); // a late second release of the first lock leaves the second alone
    expect(existsSync(second.path)).toBe(true);
    second.release();
    expect(existsSync(second.path)).toBe(false);
  });

  it('takes over the lock of an earlier process with this id that this process does not hold', () => {
    const d = dir();
    writeFileSync(join(d, 'thing.lock'), `${process.pid} 00000000-0000-0000-0000-000000000000:1\n`);
    const lock = lockDirectory(d, options);
    expect(readFileSync(lock.path, 'utf8')).toBe(`${process.pid} ${processStarted(process.pid)}\n`);
    lock.release();
  });

  describe('taking over a stale lock', () => {
    const stale = 4_000_009;
    const alive = (h: { pid: number }) => h.pid !== stale;

    it('lets one of two processes that found the same stale lock have it, never both', () => {
      const d = dir();
      writeFileSync(join(d, 'thing.lock'), `${stale}\n`);
      let rival: unknown = 'not tried';
      const first = lockDirectory(d, {
        ...options,
        pid: 4_000_001,
        alive,
        beforeTakeover: () => {
          try {
            rival = lockDirectory(d, { ...options, pid: 4_000_002, alive });
          } catch (err) {
            rival = err;
          }
        },
      });
      expect(rival).toMatchObject({ code: 'PW_CONFLICT', message: `${d}: the directory is being locked by another process at the same moment` });
      expect(readFileSync(first.path, 'utf8')).toBe('4000001\n');
      expect(existsSync(join(d, 'thing.lock.takeover'))).toBe(false);
      // Once the takeover is done, the rival is refused by name.
      expect(() => lockDirectory(d, { ...options, pid: 4_000_002, alive })).toThrow(expect.objectContaining({ message: `${d}: a thing runs here (process 4000001)` }));
      first.release();
    });

    it('does not remove a lock that another process took over after this one judged it stale', () => {
      const d = dir();
      writeFileSync(join(d, 'thing.lock'), `${stale}\n`);
      // The rival's takeover lands between this process's look at the lock and its removal.
      let rivalLock: ReturnType<typeof lockDirectory> | undefined;
      const alsoRival = (h: { pid: number }) => {
        if (h.pid === stale && rivalLock === undefined) rivalLock = lockDirectory(d, { ...options, pid: 4_000_002, alive });
        return alive(h);
      };
      expect(() => lockDirectory(d, { ...options, pid: 4_000_001, alive: alsoRival })).toThrow(expect.objectContaining({ message: `${d}: a thing runs here (process 4000002)` }));
      expect(readFileSync(join(d, 'thing.lock'), 'utf8')).toBe('4000002\n');
      rivalLock?.release();
    });

    it('never removes a lock it found gone, which a third process may link before the removal', () => {
      const d = dir();
      const path = join(d, 'thing.lock');
      // A link to nothing stands for a lock released between this process's failed link and its
      // read: the link still fails (EEXIST), the read finds nothing.
      symlinkSync(join(d, 'nowhere'), path);
      let third: ReturnType<typeof lockDirectory> | undefined;
      let outcome: unknown;
      try {
        outcome = lockDirectory(d, {
          ...options,
          pid: 4_000_001,
          alive,
          beforeTakeover: () => {
            // The released lock goes and a third process links its own, between the look and the removal.
            rmSync(path);
            third = lockDirectory(d, { ...options, pid: 4_000_003, alive });
          },
        });
      } catch (err) {
        outcome = err;
      }
      // Never two holders: this process did not take the lock, and the third kept its own if it got one.
      expect(outcome).toMatchObject({ code: 'PW_CONFLICT' });
      if (third !== undefined) expect(readFileSync(path, 'utf8')).toBe('4000003\n');
      third?.release();
    });

    it('removes a takeover guard whose process is gone, and takes the lock', () => {
      const d = dir();
      writeFileSync(join(d, 'thing.lock'), `${stale}\n`);
      writeFileSync(join(d, 'thing.lock.takeover'), `${stale}\n`);
      const lock = lockDirectory(d, { ...options, pid: 4_000_001, alive });
      expect(readFileSync(lock.path, 'utf8')).toBe('4000001\n');
      expect(existsSync(join(d, 'thing.lock.takeover'))).toBe(false);
      lock.release();
    });
  });
});
