import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirectories, makeDirectoriesAsync } from './make-directories.js';

const work = mkdtempSync(join(tmpdir(), 'pw-mkdirs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Both forms, each answering with what happened: 'made', or the error's code and path. */
const forms = {
  sync: (dir: string, mode?: number) => Promise.resolve().then(() => makeDirectories(dir, mode)),
  async: (dir: string, mode?: number) => makeDirectoriesAsync(dir, mode),
};
async function outcome(make: (dir: string, mode?: number) => Promise<void>, dir: string, mode?: number): Promise<string> {
  try {
    await make(dir, mode);
    return 'made';
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return `${e.code} ${e.path}`;
  }
}

describe.each(Object.entries(forms))('makeDirectories (%s)', (name, make) => {
  const base = join(work, name);

  it('makes the missing levels with the mode, and takes a directory that exists', async () => {
    const dir = join(base, 'a', 'b', 'c');
    expect(await outcome(make, dir, 0o700)).toBe('made');
    for (const level of [join(base, 'a'), join(base, 'a', 'b'), dir]) expect(statSync(level).mode & 0o777).toBe(0o700);
    expect(await outcome(make, dir, 0o700)).toBe('made');
    expect(await outcome(make, '/', 0o700)).toBe('made');
    // Callers racing to make one tree all succeed.
    const shared = join(base, 'shared', 'x', 'y');
    expect(await Promise.all([1, 2, 3, 4].map(() => outcome(make, shared)))).toEqual(['made', 'made', 'made', 'made']);
  });

  it('throws the system error naming the level in the way: a file, a file as a parent, a symlink to nothing', async () => {
    const file = join(base, 'file');
    writeFileSync(file, '');
    expect(await outcome(make, file)).toBe(`EEXIST ${file}`);
    expect(await outcome(make, join(file, 'sub'))).toBe(`ENOTDIR ${join(file, 'sub')}`);
    const dangling = join(base, 'dangling');
    symlinkSync(join(base, 'nowhere'), dangling);
    expect(await outcome(make, join(dangling, 'sub'))).toBe(`EEXIST ${dangling}`);
    expect(existsSync(join(base, 'nowhere'))).toBe(false);
  });

  // Node's recursive mkdir never returns on these: /proc exists and answers ENOENT for any new name.
  it.runIf(existsSync('/proc/self'))('fails, rather than spinning, under /proc', async () => {
    expect(await outcome(make, '/proc/pw-no-such')).toBe('ENOENT /proc/pw-no-such');
    expect(await outcome(make, '/proc/pw-no-such/a/b')).toBe('ENOENT /proc/pw-no-such');
    expect(await outcome(make, '/proc/self/pglite')).toBe('ENOENT /proc/self/pglite');
    expect(await outcome(make, '/proc/self')).toBe('made');
  });
});
