/**
 * The rpm hosts' reboot hint: the rule on rpm's output, and the query against real rpm databases
 * (empty packages built with rpmbuild, registered with `rpm --justdb` under temporary roots; their
 * install time is when the test registered them). Needs `rpm` and `rpmbuild`; with CI=true their
 * absence fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToTree, makeTree, removeTrees } from '../../test/support/fake-root.js';
import { buildEmptyRpm, haveRpmTools, rootWithRpmDb } from '../../test/support/rpm-root.js';
import { rebootRequiredOf } from './collect-facts.js';
import { RootedFs } from './rooted-fs.js';
import { rpmPackagesAwaitingReboot, updatedSinceBoot } from './rpm-reboot-hint.js';
import { runCommand } from './run-command.js';

afterAll(removeTrees);

const rpm = { run: runCommand, rpmCommand: 'rpm', timeoutMs: 30_000, maxBuffer: 1024 * 1024 };

describe('updatedSinceBoot', () => {
  it('names the packages installed after boot, each once, and ignores the rest', () => {
    const output = ['kernel-core\t1700000100', 'kernel-core\t1699990000', 'glibc\t1699999999', 'systemd\t1700000001', 'dbus\t1700000000', 'garbage', '\t1700009999', 'linux-firmware\t(none)', ''].join('\n');
    // Booted at 1700000000: the newer kernel and systemd came after; glibc before; dbus at the same second is not after.
    expect(updatedSinceBoot(output, 1_700_000_000)).toEqual(['kernel-core', 'systemd']);
    expect(updatedSinceBoot(output, 1_800_000_000)).toEqual([]);
  });
});

describe('rebootRequiredOf (marker families)', () => {
  const os = (id: string, idLike: string[] = []) => ({ id, idLike, versionId: '1', prettyName: null, versionCodename: null });
  it('takes a marker as true, its absence as false only where the package manager leaves one', () => {
    expect(rebootRequiredOf(true, os('almalinux', ['rhel', 'centos', 'fedora']))).toBe(true);
    // Only optional hooks create Debian's and Ubuntu's marker: its absence alone tells nothing (dpkg-reboot-hint.ts decides).
    expect(rebootRequiredOf(false, os('debian'))).toBeNull();
    expect(rebootRequiredOf(false, os('linuxmint', ['ubuntu', 'debian']))).toBeNull();
    expect(rebootRequiredOf(false, os('opensuse-leap', ['suse', 'opensuse']))).toBe(false);
    expect(rebootRequiredOf(false, os('sles'))).toBe(false);
    expect(rebootRequiredOf(false, os('rocky', ['rhel', 'centos', 'fedora']))).toBeNull();
    expect(rebootRequiredOf(false, os('alpine'))).toBeNull();
    expect(rebootRequiredOf(false, null)).toBeNull();
  });
});

const haveRpm = await haveRpmTools();
const inCi = process.env.CI === 'true';

describe.runIf(haveRpm || inCi)('rpmPackagesAwaitingReboot on a real rpm database', () => {
  let glibc = '';
  let tool = '';
  let installedAt = 0;

  beforeAll(async () => {
    if (!haveRpm) throw new Error('rpm and rpmbuild are required when CI=true (apt-get install rpm)');
    glibc = await buildEmptyRpm('glibc', '2.34', '100.el9_4.2');
    tool = await buildEmptyRpm('pw-tool');
  });

  /** A root holding `rpms`; installedAt is a second no later than their install time. */
  const rootWith = async (rpms: string[]) => {
    installedAt = Math.floor(Date.now() / 1000);
    return RootedFs.open(await rootWithRpmDb('/var/lib/rpm', rpms));
  };

  it('names a reboot package installed after boot, and none when the system booted since', async () => {
    const fs = await rootWith([glibc, tool]);
    expect(await rpmPackagesAwaitingReboot(fs, rpm, installedAt - 3600)).toEqual(['glibc']);
    expect(await rpmPackagesAwaitingReboot(fs, rpm, installedAt + 3600)).toEqual([]);
  });

  it('adds the names of needs-restarting.d, ignoring what is not a package name', async () => {
    const fs = await rootWith([glibc, tool]);
    await addToTree(fs.root, { files: { 'etc/dnf/plugins/needs-restarting.d/local.conf': 'pw-tool\n\n$(reboot)\n', 'etc/dnf/plugins/needs-restarting.d/notes.txt': 'glibc-not-read\n' } });
    expect(await rpmPackagesAwaitingReboot(fs, rpm, installedAt - 3600)).toEqual(['glibc', 'pw-tool']);
  });

  it('answers null without a database or without an rpm program', async () => {
    expect(await rpmPackagesAwaitingReboot(await RootedFs.open(await makeTree({ files: { 'etc/os-release': 'ID=rocky\n' } })), rpm, 0)).toBeNull();
    expect(await rpmPackagesAwaitingReboot(await rootWith([glibc]), { ...rpm, rpmCommand: 'pw-no-such-rpm' }, 0)).toBeNull();
  });
});
