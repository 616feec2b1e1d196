/**
 * A test host: an overlayfs mount whose lower layers are read-only trees (the Debian base, and
 * optionally a prepared layer on top of it) and whose upper layer is a fresh temporary
 * directory. Clones take milliseconds and never write to the layers under them, so every test
 * gets its own machine from the same base. dispose() unmounts and deletes everything, whatever
 * state the test left the host in.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChrootRunner } from '@patchwise/agent';
import { debianBase, type DebianSuite } from './debian-base.js';
import { exec } from './exec-file.js';
import { removeTree } from './mounts.js';

export interface HostClone {
  readonly name: string;
  /** The clone's root directory (chroot into it, inspect its files). */
  readonly root: string;
  /** Runs commands inside the clone: `chroot ROOT argv…`. */
  readonly runner: ChrootRunner;
  /** The clone's own changes (overlay upper directory). */
  readonly upper: string;
  /** Unmounts the clone (and anything mounted inside it) and deletes it. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface CloneHostOptions {
  /** Read-only layers above the Debian base, topmost first (e.g. a LocalAptRepository's layer). */
  readonly layers?: readonly string[];
  /** The Debian release under the layers (default bookworm); the layers must have been made over its base. */
  readonly suite?: DebianSuite;
}

const HOST_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A fresh clone of the suite's Debian base (plus `layers`) named `name` (its /etc/hostname; a random machine id). */
export async function cloneHost(name: string, options: CloneHostOptions = {}): Promise<HostClone> {
  if (!HOST_NAME.test(name)) throw new Error(`cloneHost: ${JSON.stringify(name)} is not a host name (a-z, 0-9, -)`);
  const lowers = [...(options.layers ?? []), await debianBase(options.suite)];
  // overlayfs separates options with ',' and layers with ':'; a path holding either would be misread.
  for (const layer of lowers) if (/[,:]/.test(layer)) throw new Error(`cloneHost: layer path ${layer} contains ',' or ':'`);
  const dir = mkdtempSync(join(tmpdir(), `pw-host-${name}-`));
  const root = join(dir, 'root');
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  for (const d of [root, upper, work]) mkdirSync(d);
  let disposed: Promise<void> | undefined;
  const dispose = () => (disposed ??= removeTree(dir));
  try {
    await exec('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowers.join(':')},upperdir=${upper},workdir=${work}`, root]);
    // Each clone is its own machine: minbase leaves no machine id and the build host's name.
    writeFileSync(join(root, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`, { mode: 0o444 });
    writeFileSync(join(root, 'etc/hostname'), `${name}\n`);
    return { name, root, upper, runner: new ChrootRunner(root), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
