import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PatchwiseError } from '../errors/index.js';

export interface DirectoryLock {
  readonly path: string;
  /** Removes the lock file if it is still this holder's. */
  release(): void;
}

export interface LockDirectoryOptions {
  /** The lock file's name inside the directory. */
  readonly file: string;
  /** The refusal's message, naming the live holder's process id (the error names the directory). */
  readonly refusal: (holderPid: number) => string;
  /** The locking process (tests pose as others). */
  readonly pid?: number | undefined;
  /** Whether a holder still runs (tests decide). */
  readonly alive?: ((holder: LockHolder) => boolean) | undefined;
  /** Called while a stale lock is being taken over, just before it is removed (tests interleave a rival here). */
  readonly beforeTakeover?: (() => void) | undefined;
}

/**
 * Who holds a lock: a process id and, where Linux's /proc tells it, when that process started
 * (boot id and start time), so that the id reused by another process, after a reboot or a
 * restart, is not taken for the holder.
 */
export interface LockHolder {
  readonly pid: number;
  readonly started?: string | undefined;
}

/** Whether a process with this id exists (EPERM: it does, someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When a process started, as `<boot id>:<start time in clock ticks>`; undefined where /proc does not say (another OS, a hidden process). */
export function processStarted(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const start = fields[19]; // field 22, starttime; the split begins at field 3
    return boot && start ? `${boot}:${start}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's holder still runs: its id is alive and, when the lock says when it started,
 * the process with that id started then. A start that cannot be read now counts as the same
 * process: refusing an open is recoverable, two processes writing one directory is not.
 */
export function holderAlive(holder: LockHolder): boolean {
  if (!processAlive(holder.pid)) return false;
  if (holder.started === undefined) return true;
  const now = processStarted(holder.pid);
  return now === undefined || now === holder.started;
}

/**
 * One process at a time in a directory (a PGlite data directory, an agent's state directory):
 * the holder keeps `<dir>/<file>` with its process id and start time. A lock whose process is
 * gone (kill -9, a crash) is taken over, which is what makes a restart after kill -9 work;
 * another live holder refuses the lock and is named. A lock holding this process's own id is a
 * previous incarnation's (a container's server is often pid 1 again after a restart), so it is
 * taken over too, unless this process holds it now (two agents or databases in one process,
 * as tests and embedders run them); so is a lock whose id now belongs to a process that started
 * at another time (after a reboot, say). Throws PW_CONFLICT naming the directory.
 *
 * A takeover happens under a second lock file, `<file>.takeover`, made the same way: two
 * processes that both found the same stale lock would otherwise both remove it, and the later
 * removal could take away the lock the earlier one had just linked, leaving both holding the
 * directory. The guard's holder checks that the lock is still the stale one it judged before
 * removing it. A lock found gone is never removed: linking again decides. A guard whose process
 * died mid-takeover is itself removed as stale; that removal is unguarded, so the race remains
 * only for two processes starting together right after a process died while taking over.
 */
export function lockDirectory(dir: string, options: LockDirectoryOptions): DirectoryLock {
  const pid = options.pid ?? process.pid;
  const alive = options.alive ?? holderAlive;
  const path = join(dir, options.file);
  // Written aside and linked into place: the lock file appears whole or not at all, so a reader
  // never mistakes a lock being made for one whose holder died before writing its id.
  const aside = `${path}.${pid}`;
  const started = processStarted(pid);
  writeFileSync(aside, `${started ? `${pid} ${started}` : pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        linkSync(aside, path);
        const key = resolve(path);
        const token = Symbol(key);
        heldHere.set(key, token);
        return {
          path,
          release: () => {
            if (heldHere.get(key) !== token) return; // released already, or taken over since
            heldHere.delete(key);
            if (holderOf(path)?.pid === pid) rmSync(path, { force: true });
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const seen = readText(path);
      // Gone since the failed link (its holder released it, a takeover removed it): link again.
      // Taking over a lock judged absent would remove whatever lock a third process links between
      // the look and the removal, and linking needs no guard.
      if (seen === undefined) continue;
      const holder = holderIn(seen);
      const ours = holder?.pid === pid;
      if (holder !== undefined && ((ours && heldHere.has(resolve(path))) || (!ours && alive(holder)))) {
        throw new PatchwiseError('PW_CONFLICT', options.refusal(holder.pid), { input: dir });
      }
      // Its process is gone: a stale lock, removed under the takeover guard.
      takeOver(path, aside, pid, alive, () => {
        if (readText(path) !== seen) return; // taken over by another process since: judged again next time round
        options.beforeTakeover?.();
        rmSync(path, { force: true });
      }, dir);
    }
    throw new PatchwiseError('PW_CONFLICT', BUSY, { input: dir });
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * The lock files this process holds now (by absolute path), each with the token of the lock that
 * holds it: a lock file with this process's id is then told apart from one a previous process
 * with the same id left. Process-wide because a process id is.
 */
const heldHere = new Map<string, symbol>();

const BUSY = 'the directory is being locked by another process at the same moment';

/**
 * Runs `remove` holding `<lock>.takeover`, linked from this process's `aside` file. Another
 * live holder of the guard means another process is taking over right now: PW_CONFLICT. A guard
 * whose holder is gone is removed, and the caller tries again.
 */
function takeOver(path: string, aside: string, pid: number, alive: (holder: LockHolder) => boolean, remove: () => void, dir: string): void {
  const guard = `${path}.takeover`;
  try {
    linkSync(aside, guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const seen = readText(guard);
    // Gone since the failed link: its holder finished. Removing it now could only remove a guard
    // a third process has just linked; the caller tries again instead.
    if (seen === undefined) return;
    const holder = holderIn(seen);
    if (holder !== undefined && holder.pid !== pid && alive(holder)) throw new PatchwiseError('PW_CONFLICT', BUSY, { input: dir });
    rmSync(guard, { force: true });
    return;
  }
  try {
    remove();
  } finally {
    rmSync(guard, { force: true });
  }
}

/** A file's text, or undefined when it cannot be read (gone). */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The lock's holder: `<pid> [<started>]` (locks of earlier releases hold the id alone). */
function holderOf(path: string): LockHolder | undefined {
  return holderIn(readText(path));
}

function holderIn(text: string | undefined): LockHolder | undefined {
  if (text === undefined) return undefined;
  const [id, started] = text.trim().split(' ');
  const pid = Number(id);
  return Number.isInteger(pid) && pid > 0 ? { pid, started } : undefined;
}
