/**
 * A writable, disposable copy of a cached chroot: an overlayfs mount when the kernel allows one
 * (milliseconds, and the cached tree stays untouched by construction), else `cp -a
 * --reflink=auto` (cheap on btrfs/XFS, a real copy elsewhere). Each clone is its own machine:
 * it gets its own host name and machine id.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from './exec-file.js';
import { removeTree } from './mounts.js';

export interface ChrootIdentity {
  readonly hostname: string;
  /** 32 lower-case hex digits (machine-id(5)); default: a random one. */
  readonly machineId?: string | undefined;
}

export interface ChrootClone {
  /** The clone's root directory: chroot into it, inventory it. */
  readonly root: string;
  readonly hostname: string;
  readonly machineId: string;
  readonly method: 'overlay' | 'copy';
  /** Unmounts and deletes the clone. */
  dispose(): Promise<void>;
}

/** Clones `lower` (never written to) and gives the clone `identity`. */
export async function cloneChroot(lower: string, identity: ChrootIdentity): Promise<ChrootClone> {
  const dir = mkdtempSync(join(tmpdir(), 'patchwise-chroot-'));
  const root = join(dir, 'root');
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  for (const d of [root, upper, work]) mkdirSync(d);
  let method: ChrootClone['method'];
  try {
    method = await overlayOrCopy(lower, upper, work, root);
    const machineId = identity.machineId ?? randomBytes(16).toString('hex');
    // minbase has no systemd, so debootstrap leaves no /etc/machine-id; and /etc/hostname is the
    // build machine's. Two clones sharing either would be one machine enrolled twice (the server
    // quarantines the second), so each gets its own, as systemd-firstboot would give it.
    writeFileSync(join(root, 'etc/machine-id'), `${machineId}\n`, { mode: 0o444 });
    writeFileSync(join(root, 'etc/hostname'), `${identity.hostname}\n`, { mode: 0o644 });
    return { root, hostname: identity.hostname, machineId, method, dispose: () => removeTree(dir) };
  } catch (err) {
    await removeTree(dir);
    throw err;
  }
}

async function overlayOrCopy(lower: string, upper: string, work: string, root: string): Promise<ChrootClone['method']> {
  // Commas and colons separate overlay options and layers; these paths are ours, but a cache
  // directory given through the environment could hold either.
  if (![lower, upper, work].some((p) => /[,:]/.test(p))) {
    try {
      await exec('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, root]);
      return 'overlay';
    } catch {
      // No overlayfs here (an unprivileged container, /tmp itself on overlayfs): copy instead.
    }
  }
  await exec('cp', ['-a', '--reflink=auto', '--', `${lower}/.`, root], { timeoutMs: 300_000 });
  return 'copy';
}
