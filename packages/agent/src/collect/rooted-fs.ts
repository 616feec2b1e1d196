/**
 * Read-only file access confined to a root directory: the agent inventories either the running
 * machine (`/`) or a mounted filesystem / chroot whose content an attacker may control. A symlink
 * such as `<root>/var/lib/dpkg/status -> ../../../../../etc/shadow` must not make the agent read
 * (and upload) a file of the machine it runs on.
 *
 * Paths are resolved one component at a time, as the kernel would inside a chroot
 * (openat2's RESOLVE_IN_ROOT): an absolute link target is taken relative to the root, not the host.
 * One difference: a `..` that would climb above the root is refused (PW_INPUT_UNREADABLE naming the
 * path) instead of being clamped, since only a broken or hostile tree contains one. On the real
 * root (`/`) nothing can escape, so there it is clamped as the kernel does.
 *
 * Node has no openat2, so a component could be swapped for a symlink between resolution and open.
 * The final component is opened with O_NOFOLLOW, which closes the common case; a tree that is being
 * rewritten while it is read is outside what this class defends against.
 */
import { constants, createWriteStream } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { PatchwiseError } from '@patchwise/core';

/** Linux gives up after 40 symlinks in one lookup (ELOOP); so do we. */
const MAX_SYMLINKS = 40;

/** Default cap for one file read; callers reading bigger databases pass their own. */
export const DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024;

/** A path resolved inside the root: where it is on this machine and what the root calls it. */
export interface RootedPath {
  /** Absolute path on the machine the agent runs on, always inside the root. */
  readonly hostPath: string;
  /** The same file as seen from inside the root, `/`-prefixed, without symlinks. */
  readonly rootPath: string;
}

/** Read-only, symlink-safe access to the files under one root directory. */
export class RootedFs {
  private constructor(
    /** The root's real path on this machine (symlinks in the operator-given path resolved). */
    readonly root: string,
  ) {}

  /**
   * Opens a root. The operator-given path itself is trusted, so symlinks in it are followed.
   * Throws PW_INPUT_UNREADABLE when it is missing or not a directory.
   */
  static async open(root: string): Promise<RootedFs> {
    let real: string;
    try {
      real = await realpath(path.resolve(root));
      if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
    } catch (err) {
      throw new PatchwiseError('PW_INPUT_UNREADABLE', `root is not a readable directory (${reason(err)})`, { input: root, cause: err });
    }
    return new RootedFs(real);
  }

  /** True when the root is this machine's own `/`, so running-machine facts apply. */
  get isHostRoot(): boolean {
    return this.root === '/';
  }

  /** How a root-relative path is named in messages: its place on this machine. */
  display(rel: string): string {
    return path.join(this.root, rel);
  }

  /**
   * Resolves `rel` (relative to the root; a leading `/` is allowed) following symlinks inside the
   * root. With `followFinal: false` the last component is not followed (to read a link itself).
   * Returns undefined when a component does not exist or is not a directory.
   * Throws PW_INPUT_UNREADABLE when a symlink leads above the root, on a symlink loop, or on an
   * I/O error such as EACCES.
   */
  async resolve(rel: string, followFinal = true): Promise<RootedPath | undefined> {
    const pending = components(rel);
    let resolved: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const c = pending.shift() as string;
      if (c === '..') {
        if (resolved.length === 0) {
          if (this.isHostRoot) continue;
          throw this.unreadable(rel, 'a symlink or ".." leads outside the root; refused');
        }
        resolved.pop();
        continue;
      }
      const isLast = pending.length === 0;
      const candidate = path.join(this.root, ...resolved, c);
      if (isLast && !followFinal) {
        resolved.push(c);
        break;
      }
      const st = await this.lstatOrUndefined(candidate, rel);
      if (!st) return undefined;
      if (st.isSymbolicLink()) {
        if (++links > MAX_SYMLINKS) throw this.unreadable(rel, `more than ${MAX_SYMLINKS} symlinks (a loop?)`);
        const target = await this.readLinkAt(candidate, rel);
        // An absolute target means "from the root" inside a chroot, never the host's `/`.
        if (target.startsWith('/')) resolved = [];
        pending.unshift(...components(target));
        continue;
      }
      if (!isLast && !st.isDirectory()) return undefined;
      resolved.push(c);
    }
    return { hostPath: path.join(this.root, ...resolved), rootPath: `/${resolved.join('/')}` };
  }

  /**
   * The text of a regular file, or undefined when it does not exist. Refuses (PW_INPUT_UNREADABLE)
   * anything that is not a regular file: a FIFO or device planted in the tree would otherwise block
   * the agent or feed it endless data. Throws PW_INPUT_TOO_LARGE above `maxBytes`.
   */
  async readText(rel: string, maxBytes = DEFAULT_MAX_READ_BYTES): Promise<string | undefined> {
    return this.withRegularFile(rel, maxBytes, async (handle, st) => {
      // Read to the end but at most maxBytes + 1, so a file that grows after fstat is still
      // caught; the buffer starts at the stated size and grows only if the file does.
      const limit = maxBytes + 1;
      let buf = Buffer.alloc(Math.min(limit, st.size + 64 * 1024));
      let total = 0;
      for (;;) {
        if (total === buf.length) {
          if (buf.length === limit) break;
          const bigger = Buffer.alloc(Math.min(limit, buf.length * 2));
          buf.copy(bigger, 0, 0, total);
          buf = bigger;
        }
        const { bytesRead } = await handle.read(buf, total, buf.length - total, total);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      if (total > maxBytes) {
        throw new PatchwiseError('PW_INPUT_TOO_LARGE', `exceeds the ${maxBytes}-byte limit`, { input: this.display(rel) });
      }
      return buf.subarray(0, total).toString('utf8');
    });
  }

  /**
   * Copies a regular file out of the root to `dest` (a path on this machine, created or
   * truncated), for programs that must not run on the root's own copy: rpm writes lock and
   * journal files beside any database it opens. Returns false when `rel` does not exist. The same
   * refusals as readText: not a regular file, a symlink out of the root (PW_INPUT_UNREADABLE),
   * larger than `maxBytes` (PW_INPUT_TOO_LARGE).
   */
  async copyOut(rel: string, dest: string, maxBytes: number): Promise<boolean> {
    const copied = await this.withRegularFile(rel, maxBytes, async (handle, st) => {
      // Only the size fstat saw is copied: a file growing meanwhile cannot make the copy unbounded.
      await pipeline(handle.createReadStream({ start: 0, end: Math.max(0, st.size - 1), autoClose: false, emitClose: false }), createWriteStream(dest));
      return true;
    });
    return copied ?? false;
  }

  /**
   * Runs `use` on the open regular file `rel` (undefined when it does not exist), refusing what
   * readText and copyOut both refuse: anything but a regular file, a symlink out of the root
   * (PW_INPUT_UNREADABLE), more than `maxBytes` by fstat (PW_INPUT_TOO_LARGE). Other errors of
   * `use` become PW_INPUT_UNREADABLE naming `rel`.
   */
  private async withRegularFile<T>(rel: string, maxBytes: number, use: (handle: FileHandle, st: Stats) => Promise<T>): Promise<T | undefined> {
    const p = await this.resolve(rel);
    if (!p) return undefined;
    let handle: FileHandle;
    try {
      // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: see the file comment.
      handle = await open(p.hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      if (isCode(err, 'ENOENT')) return undefined;
      throw this.unreadable(rel, reason(err), err);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw this.unreadable(rel, 'not a regular file');
      if (st.size > maxBytes) {
        throw new PatchwiseError('PW_INPUT_TOO_LARGE', `${st.size} bytes exceeds the ${maxBytes}-byte limit`, { input: this.display(rel) });
      }
      return await use(handle, st);
    } catch (err) {
      if (err instanceof PatchwiseError) throw err;
      throw this.unreadable(rel, reason(err), err);
    } finally {
      await handle.close();
    }
  }

  /** The target of a symlink, unresolved, or undefined when `rel` is missing or not a symlink. */
  async readLink(rel: string): Promise<string | undefined> {
    const p = await this.resolve(rel, false);
    if (!p) return undefined;
    const st = await this.lstatOrUndefined(p.hostPath, rel);
    if (!st?.isSymbolicLink()) return undefined;
    return this.readLinkAt(p.hostPath, rel);
  }

  /** True when `rel` exists (after following symlinks inside the root). */
  async exists(rel: string): Promise<boolean> {
    const p = await this.resolve(rel);
    return p !== undefined && (await this.lstatOrUndefined(p.hostPath, rel)) !== undefined;
  }

  /** The entries of a directory (not followed into), or undefined when it is missing or not one. */
  async listDir(rel: string): Promise<Dirent[] | undefined> {
    const p = await this.resolve(rel);
    if (!p) return undefined;
    try {
      return await readdir(p.hostPath, { withFileTypes: true });
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return undefined;
      throw this.unreadable(rel, reason(err), err);
    }
  }

  private async lstatOrUndefined(hostPath: string, rel: string) {
    try {
      return await lstat(hostPath);
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return undefined;
      throw this.unreadable(rel, reason(err), err);
    }
  }

  private async readLinkAt(hostPath: string, rel: string): Promise<string> {
    try {
      return await readlink(hostPath);
    } catch (err) {
      throw this.unreadable(rel, reason(err), err);
    }
  }

  private unreadable(rel: string, why: string, cause?: unknown): PatchwiseError {
    return new PatchwiseError('PW_INPUT_UNREADABLE', why, { input: this.display(rel), cause });
  }
}

function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
