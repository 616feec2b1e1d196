import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`: creates `dir` and its missing parents (each with `mode`, default 0o777 less the
 * umask); a directory that exists already is fine. Throws the system's error for the first level
 * that cannot be made (its `code`: EEXIST when something else is in the way, ENOTDIR, EACCES,
 * EROFS, ENOENT, ELOOP, …), naming that path.
 *
 * Why not Node's `mkdirSync(dir, { recursive: true })` (or its callback and promise forms): it
 * reads ENOENT as "the parent is missing", makes the parent (EEXIST: it is there) and tries the
 * child again, forever, at full CPU, when the parent exists but still answers ENOENT: under /proc
 * (`--data /proc/x`, or `/proc/self/pglite`), or below a symlink to a missing directory. Here each
 * level is tried once, from the deepest existing ancestor down.
 */
export function makeDirectories(dir: string, mode?: number): void {
  const levels: string[] = [];
  for (let at = resolve(dir); !isDirectorySync(at); at = dirname(at)) {
    levels.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const level of levels) {
    try {
      mkdirSync(level, { mode });
    } catch (err) {
      // EEXIST for a directory: another process made it between the look and the mkdir.
      if (!isCode(err, 'EEXIST') || !isDirectorySync(level, false)) throw err;
    }
  }
}

/** makeDirectories without blocking the event loop (request and job paths). */
export async function makeDirectoriesAsync(dir: string, mode?: number): Promise<void> {
  const levels: string[] = [];
  for (let at = resolve(dir); !(await isDirectory(at)); at = dirname(at)) {
    levels.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const level of levels) {
    try {
      await mkdir(level, { mode });
    } catch (err) {
      if (!isCode(err, 'EEXIST') || !(await isDirectory(level, false))) throw err;
    }
  }
}

/**
 * Whether `path` is a directory (symlinks followed): false when it is missing or something else.
 * Other failures are thrown unless `orThrow` is false: ENOTDIR (a part of the path is a file, so
 * no level below it can be made), EACCES, ELOOP.
 */
function isDirectorySync(path: string, orThrow = true): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (err) {
    if (!orThrow || isCode(err, 'ENOENT')) return false;
    throw err;
  }
}

async function isDirectory(path: string, orThrow = true): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    if (!orThrow || isCode(err, 'ENOENT')) return false;
    throw err;
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
