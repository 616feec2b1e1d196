/**
 * The dpkg reader against databases dpkg itself wrote (packages built with dpkg-deb, unpacked or
 * installed with `dpkg --root`), with dpkg-query as the oracle; and the shapes dpkg does not
 * write but images carry (distroless status.d, an empty status file).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { collectPackages } from '@patchwise/agent';
import { parseInventory } from '@patchwise/core';
import { afterAll, describe, expect, it } from 'vitest';
import { addToTree, makeTree, removeTrees } from './support/fake-root.js';
import { buildDeb, dpkgOnRoot, dpkgQueryLines, emptyDpkgRoot, haveDpkgTools, writeJournalEntry } from './support/dpkg-root.js';

afterAll(removeTrees);

const haveDpkg = await haveDpkgTools();

/** The distribution packages of a root as `name version` lines, sorted. */
async function collectedLines(root: string): Promise<string[]> {
  const r = await collectPackages({ root });
  return r.packages.filter((p) => p.ecosystem === undefined).map((p) => `${p.name} ${p.version}`).sort();
}

describe.runIf(haveDpkg || process.env.CI === 'true')('collectPackages with a database dpkg wrote', () => {
  it('reports packages an interrupted run left unpacked, as dpkg-query and the scanner do', async () => {
    const root = await emptyDpkgRoot();
    await dpkgOnRoot(root, ['--install', await buildDeb('pw-done', '1.0-1')]);
    // `--unpack` without `--configure` is where an apt run killed halfway leaves a package.
    await dpkgOnRoot(root, ['--unpack', await buildDeb('pw-halfway', '2.0-1')]);
    expect(await dpkgQueryLines(root)).toEqual(['installed pw-done 1.0-1', 'unpacked pw-halfway 2.0-1']);

    expect(await collectedLines(root)).toEqual(['pw-done 1.0-1', 'pw-halfway 2.0-1']);
    // `patchwise scan` of the same status file reads the same packages.
    const statusFile = path.join(root, 'var/lib/dpkg/status');
    const scanned = parseInventory(await readFile(statusFile, 'utf8'), statusFile, { ecosystem: 'Debian:12' }).inventories[0]?.packages ?? [];
    expect(scanned.map((p) => `${p.name} ${p.version}`).sort()).toEqual(['pw-done 1.0-1', 'pw-halfway 2.0-1']);
  });

  it('applies the journal of an unfinished run over the status file in numeric order, as dpkg-query does', async () => {
    const root = await emptyDpkgRoot();
    await dpkgOnRoot(root, ['--install', await buildDeb('pw-lib', '1.0-1'), await buildDeb('pw-gone', '1.0-1')]);
    const record = (name: string, version: string, state: string) => `Package: ${name}\nStatus: install ok ${state}\nMaintainer: t <t@example.org>\nArchitecture: all\nVersion: ${version}\nDescription: d\n`;
    await writeJournalEntry(root, '0000', record('pw-lib', '1.0-2', 'unpacked'));
    await writeJournalEntry(root, '0001', record('pw-lib', '1.0-2', 'installed'));
    await writeJournalEntry(root, '0002', record('pw-new', '3.0-1', 'installed'));
    await writeJournalEntry(root, '0010', 'Package: pw-gone\nStatus: purge ok not-installed\nArchitecture: all\n');
    // The entry dpkg was writing when it stopped is not part of the journal.
    await writeJournalEntry(root, 'tmp.i', record('pw-lib', '9.9-9', 'installed'));

    expect(await dpkgQueryLines(root)).toEqual(['installed pw-lib 1.0-2', 'installed pw-new 3.0-1']);
    const r = await collectPackages({ root });
    expect(r.packages.map((p) => `${p.name} ${p.version}`).sort()).toEqual(['pw-lib 1.0-2', 'pw-new 3.0-1']);
    expect(r.warnings).toEqual([`${path.join(root, 'var/lib/dpkg/updates')}: 4 journal entries of an unfinished dpkg run applied over the status file`]);
  });
});

describe.runIf(haveDpkg || process.env.CI === 'true')('Python distributions dpkg installed', () => {
  it('are left out (the distribution package carries them, with its backports); pip-installed ones stay', async () => {
    const root = await emptyDpkgRoot();
    const meta = (name: string, version: string) => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;
    const debian = {
      '/usr/lib/python3/dist-packages/urllib3-1.26.12.dist-info/METADATA': meta('urllib3', '1.26.12'),
      '/usr/lib/python3/dist-packages/distro_info-1.5.egg-info': meta('distro-info', '1.5'),
    };
    await dpkgOnRoot(root, ['--install', await buildDeb('python3-urllib3', '1.26.12-1+deb12u4', debian)]);
    // pip puts its own beside the interpreter's, and under /usr/local.
    await addToTree(root, {
      files: {
        'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA': meta('requests', '2.31.0'),
        'usr/local/lib/python3.11/dist-packages/urllib3-2.2.1.dist-info/METADATA': meta('urllib3', '2.2.1'),
      },
    });
    const r = await collectPackages({ root });
    expect(r.packages.map((p) => `${p.ecosystem ?? 'Debian'} ${p.name} ${p.version}`)).toEqual(['Debian python3-urllib3 1.26.12-1+deb12u4', 'PyPI requests 2.31.0', 'PyPI urllib3 2.2.1']);
    expect(r.skipped).toEqual([{ reason: 'Python distribution installed by the system package manager', count: 2 }]);
    expect(r.warnings).toEqual([]);
  });
});

describe('collectPackages on dpkg databases dpkg did not write', () => {
  it('refuses a status file that lists no installed package, naming it, instead of reporting an empty host', async () => {
    for (const text of ['', '\n', 'Package: old\nStatus: deinstall ok config-files\nVersion: 1\n']) {
      const root = await makeTree({ files: { 'var/lib/dpkg/status': text } });
      await expect(collectPackages({ root })).rejects.toMatchObject({
        code: 'PW_INPUT_INVALID',
        message: expect.stringMatching(new RegExp(`^${path.join(root, 'var/lib/dpkg/status').replace(/[.]/g, '\\.')}: the package database exists but lists no installed packages`)),
      });
    }
  });

  it('reads a distroless root: one status.d file per package, without Status, checksums beside them', async () => {
    const stanza = (name: string, version: string, source = '') => `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\n${source}Description: x\n more\n`;
    const root = await makeTree({
      files: {
        'var/lib/dpkg/status.d/libc6': stanza('libc6', '2.36-9+deb12u14', 'Source: glibc\n'),
        'var/lib/dpkg/status.d/libc6.md5sums': 'd41d8cd98f00b204e9800998ecf8427e  usr/lib/x86_64-linux-gnu/libc.so.6\n',
        'var/lib/dpkg/status.d/zlib1g': stanza('zlib1g', '1:1.2.13.dfsg-1'),
      },
    });
    const r = await collectPackages({ root });
    expect(r.packages).toEqual([
      { name: 'libc6', version: '2.36-9+deb12u14', arch: 'amd64', sourceName: 'glibc', sourceVersion: '2.36-9+deb12u14' },
      { name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64', sourceName: 'zlib1g', sourceVersion: '1:1.2.13.dfsg-1' },
    ]);
    expect(r.complete).toBe(true);

    const broken = await makeTree({ files: { 'var/lib/dpkg/status.d/tzdata': 'Package: tzdata\nArchitecture: all\n' } });
    await expect(collectPackages({ root: broken })).rejects.toMatchObject({
      code: 'PW_INPUT_MALFORMED',
      message: `${path.join(broken, 'var/lib/dpkg/status.d/tzdata')}: line 1: installed package tzdata has no Version`,
    });
  });
});
