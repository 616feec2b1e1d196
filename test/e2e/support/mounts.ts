/**
 * Removing trees that may have file systems mounted inside them (an overlay clone, or the
 * /proc and /sys that debootstrap mounts into its target and leaves behind when it is killed).
 * `rm -rf` into a mounted /proc or /sys would walk the running machine, so mounts go first and
 * `rm` never crosses a file-system boundary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { exec } from './exec-file.js';

/** Mount points at or below `dir`, deepest first (the order they must be unmounted in). */
export function mountsUnder(dir: string): string[] {
  const root = resolve(dir);
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    // mountinfo(5): the fifth field is the mount point, with blanks and backslashes octal-escaped.
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === root || point.startsWith(root + sep));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir`. */
export async function unmountUnder(dir: string): Promise<void> {
  for (const point of mountsUnder(dir)) await exec('umount', [point]);
}

/** Deletes `dir` after unmounting what is mounted inside it; never follows a mount out of it. */
export async function removeTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  await unmountUnder(dir);
  await exec('rm', ['-rf', '--one-file-system', '--', dir], { timeoutMs: 300_000 });
}
