/**
 * Roots holding a real dpkg database: tiny packages built with dpkg-deb and unpacked or installed
 * by dpkg itself under a temporary root, so the states and files are dpkg's own. Needs dpkg
 * (any Debian-family machine).
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTree } from './fake-root.js';

const run = promisify(execFile);

/** Whether dpkg, dpkg-deb and dpkg-query run here. */
export async function haveDpkgTools(): Promise<boolean> {
  const works = (file: string) =>
    run(file, ['--version']).then(
      () => true,
      () => false,
    );
  return (await works('dpkg')) && (await works('dpkg-deb')) && (await works('dpkg-query'));
}

/** Builds `name_version_all.deb` shipping a README and `files` (path → content); resolves with its path. */
export async function buildDeb(name: string, version: string, files: Readonly<Record<string, string>> = {}): Promise<string> {
  const top = await makeTree(
    {
      files: {
        'pkg/DEBIAN/control': `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: Patchwise tests <tests@example.org>\nDescription: Patchwise test package\n`,
        [`pkg/usr/share/doc/${name}/README`]: `${name} ${version}\n`,
        ...Object.fromEntries(Object.entries(files).map(([p, text]) => [`pkg/${p.replace(/^\//, '')}`, text])),
      },
    },
    'pw-debbuild-',
  );
  const deb = path.join(top, `${name}_${version}_all.deb`);
  await run('dpkg-deb', ['--root-owner-group', '-b', path.join(top, 'pkg'), deb]);
  return deb;
}

/** An empty root with the directories dpkg needs to work on it. */
export async function emptyDpkgRoot(): Promise<string> {
  const root = await makeTree({ files: { 'var/lib/dpkg/status': '' } }, 'pw-dpkgroot-');
  for (const dir of ['info', 'updates', 'triggers']) await mkdir(path.join(root, 'var/lib/dpkg', dir), { recursive: true });
  return root;
}

/** Runs dpkg on the root (`--root`, so its database and files stay there). */
export async function dpkgOnRoot(root: string, args: readonly string[]): Promise<void> {
  await run('dpkg', [`--root=${root}`, ...args]);
}

/** What dpkg-query lists for the root, as `state name version` lines, sorted. */
export async function dpkgQueryLines(root: string): Promise<string[]> {
  const { stdout } = await run('dpkg-query', [`--root=${root}`, '-W', '-f', '${db:Status-Status} ${Package} ${Version}\n']);
  return stdout.split('\n').filter((l) => l !== '').sort();
}

/** Writes a journal entry, as an interrupted dpkg run leaves it. */
export async function writeJournalEntry(root: string, name: string, stanza: string): Promise<void> {
  await writeFile(path.join(root, 'var/lib/dpkg/updates', name), stanza);
}
