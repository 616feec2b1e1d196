import { randomBytes } from 'node:crypto';
import { mkdirSync, rmdirSync } from 'node:fs';
import { exec } from './exec-file.js';
import { startTestSshd, type TestSshd } from './test-sshd.js';

/** A real sshd whose sessions are chrooted into a host's tree, and how to take it all down. */
export interface ChrootedSshd {
  readonly sshd: TestSshd;
  /** Stops sshd, unmounts the tree and removes the mount point (each step even if one before failed). */
  stop(): Promise<void>;
}

/**
 * Serves `root` (a host clone's tree) over SSH as an agentless host would be: the tree is bound
 * under /run, since sshd wants every component of a chroot root-owned and not writable by
 * others, which /tmp is not, and sshd chroots each session into it; with `procfs`, procfs is
 * mounted in it.
 */
export async function startChrootedSshd(root: string, options: { readonly procfs?: boolean } = {}): Promise<ChrootedSshd> {
  const jail = `/run/pw-ssh-${randomBytes(4).toString('hex')}`;
  mkdirSync(jail, { mode: 0o755 });
  await exec('mount', ['--rbind', root, jail]);
  // As a real host has it, for the scan's uptime and addresses; a test that plants its own files
  // under /proc (a boot id) goes without.
  if (options.procfs === true) {
    mkdirSync(`${jail}/proc`, { recursive: true });
    await exec('mount', ['-t', 'proc', 'proc', `${jail}/proc`]);
  }
  const unmount = async () => {
    await exec('umount', ['-R', jail]).catch(() => undefined);
    try {
      rmdirSync(jail);
    } catch {
      // still busy: /run is a tmpfs, gone at the next boot
    }
  };
  let sshd: TestSshd;
  try {
    sshd = await startTestSshd({ chrootDirectory: jail });
  } catch (err) {
    await unmount();
    throw err;
  }
  return {
    sshd,
    stop: async () => {
      await sshd.stop().catch(() => undefined);
      await unmount();
    },
  };
}
