/**
 * rpm collection against real rpm databases: tiny packages built here with rpmbuild and
 * registered with `rpm --justdb` under temporary roots, then read back through collectPackages.
 * Needs `rpm` and `rpmbuild` (Debian's `rpm` package has both); with CI=true their absence fails.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectPackages } from '@patchwise/agent';
import { RPM_QA_QUERY_FORMAT } from '@patchwise/core';
import { parseInventory } from '@patchwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToTree, makeTree, removeTrees } from './support/fake-root.js';
import { RPM_PYTHON_DIST, buildPythonRpm, buildTestRpms, expectedTestRpms, haveRpmTools, rootWithRpmDb } from './support/rpm-root.js';

afterAll(removeTrees);

const haveRpm = await haveRpmTools();
const inCi = process.env.CI === 'true';

it('uses the query format docs/inventory-format.md documents', async () => {
  const doc = await readFile(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/inventory-format.md'), 'utf8');
  expect(doc).toContain(`rpm -qa --qf '${RPM_QA_QUERY_FORMAT}'`);
});

describe.runIf(haveRpm || inCi)('collectPackages with a real rpm database', () => {
  let rpms: string[] = [];
  let arch = '';

  beforeAll(async () => {
    if (!haveRpm) throw new Error('rpm and rpmbuild are required when CI=true (apt-get install rpm)');
    ({ rpms, arch } = await buildTestRpms());
    expect(rpms).toHaveLength(3);
  });

  /** A root whose database lives at `dbPath`, holding the packages built above. */
  const rootWithDb = (dbPath: string) => rootWithRpmDb(dbPath, rpms);
  const expected = () => expectedTestRpms(arch);
  const sorted = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name));

  it('reads /var/lib/rpm (RHEL 8 and 9 layout) with epochs and source rpms', async () => {
    const root = await rootWithDb('/var/lib/rpm');
    const r = await collectPackages({ root });
    expect(sorted(r.packages)).toEqual(expected());
    expect(r.complete).toBe(true);
    expect(r.warnings).toEqual([]);

    // The packages make a valid inventory for an AlmaLinux host.
    const doc = { format: 'patchwise-inventory', version: 1, host: { name: 'alma', os: { id: 'almalinux', versionId: '9.4' } }, packages: r.packages };
    const inv = parseInventory(JSON.stringify(doc), 'agent', {}).inventories[0];
    expect(inv?.packages.map((p) => p.ecosystem)).toEqual(['AlmaLinux:9', 'AlmaLinux:9', 'AlmaLinux:9']);
  });

  it('reads /usr/lib/sysimage/rpm, reached directly or through the /var/lib/rpm symlink', async () => {
    const root = await rootWithDb('/usr/lib/sysimage/rpm');
    await addToTree(root, { symlinks: { 'var/lib/rpm': '../../usr/lib/sysimage/rpm' } });
    const r = await collectPackages({ root });
    expect(sorted(r.packages)).toEqual(expected());
  });

  it('leaves the inspected tree as it was: rpm reads a private copy of a mounted root\'s database', async () => {
    const root = await rootWithDb('/usr/lib/sysimage/rpm');
    const before = await treeState(root);
    const r = await collectPackages({ root });
    expect(sorted(r.packages)).toEqual(expected());
    // rpm opening the database in place would add .rpm.lock and rpmdb.sqlite-shm/-wal beside it.
    expect(await treeState(root)).toEqual(before);
  });

  it('refuses an NDB database (openSUSE, SLES) this machine\'s rpm cannot read, and creates nothing beside it', async () => {
    // Packages.db alone marks an NDB database; Debian's rpm has no NDB reader, and without being
    // told the format it would create and read an empty SQLite database there instead.
    const root = await makeTree({ files: { 'usr/lib/sysimage/rpm/Packages.db': 'NDB\0'.repeat(1024) } }, 'pw-rpmroot-');
    const before = await treeState(root);
    await expect(collectPackages({ root })).rejects.toMatchObject({
      code: 'PW_INPUT_UNREADABLE',
      message: expect.stringContaining(`rpm database ${path.join(root, 'usr/lib/sysimage/rpm')}: `),
    });
    await expect(collectPackages({ root })).rejects.toMatchObject({ message: expect.stringMatching(/NDB database \(Packages\.db\)|rpm -qa failed/) });
    expect(await treeState(root)).toEqual(before);
  });

  it('leaves out Python distributions an rpm installed, and keeps pip-installed ones', async () => {
    const root = await rootWithRpmDb('/usr/lib/sysimage/rpm', [await buildPythonRpm()]);
    // --justdb registers the files without placing them: place them as rpm would have.
    await addToTree(root, {
      files: {
        [`${RPM_PYTHON_DIST.slice(1)}/METADATA`]: 'Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.5\n',
        'usr/local/lib/python3.9/site-packages/urllib3-2.2.1.dist-info/METADATA': 'Metadata-Version: 2.1\nName: urllib3\nVersion: 2.2.1\n',
      },
    });
    const before = await treeState(root);
    const r = await collectPackages({ root });
    expect(r.packages.map((p) => `${p.ecosystem ?? 'rpm'} ${p.name} ${p.version}`)).toEqual(['rpm python3-urllib3 1.26.5-3.el9', 'PyPI urllib3 2.2.1']);
    expect(r.skipped).toEqual([{ reason: 'Python distribution installed by the system package manager', count: 1 }]);
    expect(r.warnings).toEqual([]);
    expect(await treeState(root)).toEqual(before);
  });

  it('turns an rpm failure into PW_INPUT_UNREADABLE naming the database', async () => {
    // A database file that is not a database: rpm refuses it.
    const root = await makeTree({ files: { 'var/lib/rpm/rpmdb.sqlite': 'not sqlite at all, just text'.repeat(200) } }, 'pw-rpmroot-');
    await expect(collectPackages({ root })).rejects.toMatchObject({
      code: 'PW_INPUT_UNREADABLE',
      message: expect.stringContaining(`rpm database ${path.join(root, 'var/lib/rpm')}: rpm -qa failed`),
    });
  });
});

/** Every path under `root` with its size and modification time, to show nothing was written. */
async function treeState(root: string): Promise<string[]> {
  const names = await readdir(root, { recursive: true });
  const out: string[] = [];
  for (const name of names.sort()) {
    const st = await stat(path.join(root, name));
    out.push(`${name} ${st.size} ${st.mtimeMs}`);
  }
  return out;
}
