/**
 * Runs job commands inside a directory tree as if it were the host: `chroot ROOT argv…`. Used by
 * agents started with `--root` (a mounted image, a container's filesystem) and by the end-to-end
 * tests, whose hosts are Debian trees on overlay mounts. The tree's own package manager, shell
 * and files are used; only the kernel is shared.
 */
import { isAbsolute } from 'node:path';
import { PatchwiseError } from '@patchwise/core';
import { LocalRunner, type LocalRunnerOptions } from './local-runner.js';

export class ChrootRunner extends LocalRunner {
  /** `root` must be an absolute path (chroot(8) resolves a relative one against the agent's working directory). */
  constructor(
    readonly root: string,
    options: Omit<LocalRunnerOptions, 'prefix' | 'description'> = {},
  ) {
    if (!isAbsolute(root)) throw new PatchwiseError('PW_INPUT_INVALID', 'the chroot directory must be an absolute path', { input: root });
    // `--` so that a root named like an option is still a directory to chroot(8).
    super({ ...options, prefix: ['chroot', '--', root], description: `chroot:${root}` });
  }
}
