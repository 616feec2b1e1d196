/** Temporary directory trees standing in for a mounted filesystem, removed after the test file. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Files (path → content) and symlinks (path → target) to create under a new temporary root. */
export interface TreeSpec {
  readonly files?: Readonly<Record<string, string>>;
  readonly symlinks?: Readonly<Record<string, string>>;
  readonly dirs?: readonly string[];
}

const made: string[] = [];

/** Creates a temporary root holding `spec`; returns its path. */
export async function makeTree(spec: TreeSpec, prefix = 'pw-agent-'): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  made.push(root);
  await addToTree(root, spec);
  return root;
}

/** Adds files, directories and symlinks to an existing tree. */
export async function addToTree(root: string, spec: TreeSpec): Promise<void> {
  for (const d of spec.dirs ?? []) await mkdir(path.join(root, d), { recursive: true });
  for (const [p, content] of Object.entries(spec.files ?? {})) {
    await mkdir(path.dirname(path.join(root, p)), { recursive: true });
    await writeFile(path.join(root, p), content);
  }
  for (const [p, target] of Object.entries(spec.symlinks ?? {})) {
    await mkdir(path.dirname(path.join(root, p)), { recursive: true });
    await symlink(target, path.join(root, p));
  }
}

/** Removes every tree this process made (call from afterAll). */
export async function removeTrees(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
