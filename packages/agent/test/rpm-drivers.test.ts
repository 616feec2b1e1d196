/**
 * The dnf, yum and zypper drivers: the exact argv they send and how they read the answers, for
 * cases the real tools cannot be made to show here (RHEL's output, yum 3, old zypper). The answers
 * are the tools' documented output written by hand (see support/scripted-runner.ts), or output
 * of the real dnf 4.14 where said; the drivers run against real dnf and zypper in Debian chroots
 * in test/e2e/rpm-drivers-real.test.ts, and rpm's query output against the real rpm in
 * rpm-query.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CommandFailedError, DnfDriver, RPM_QUERY_FORMAT, YumDriver, ZypperDriver } from '@patchwise/agent';
import { ScriptedRunner } from './support/scripted-runner.js';

const rpmQuery = (names: string[], stdout: string, exitCode = 0) => ({ argv: ['rpm', '-q', '--qf', RPM_QUERY_FORMAT, '--', ...names], stdout, exitCode });

// rpm -q --qf '%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\n': `(none)` for packages without an
// epoch, one line per installed instance (two kernels), and "package X is not installed" (on
// stdout) for the others, whose count is the exit status.
const RPM_OUT = [
  'openssl-libs\t1\t3.0.7\t27.el9',
  'kernel-core\t(none)\t5.14.0\t427.13.1.el9_4',
  'kernel-core\t(none)\t5.14.0\t362.8.1.el9_3',
  'package pw-new is not installed',
  '',
].join('\n');

const DNF_INSTALL_OK = `Last metadata expiration check: 0:12:03 ago on Tue 14 May 2024 10:00:00 AM UTC.
Dependencies resolved.
================================================================================
 Package             Architecture   Version                 Repository     Size
================================================================================
Upgrading:
 openssl-libs        x86_64         1:3.0.7-27.el9          baseos        2.2 M

Transaction Summary
================================================================================
Upgrade  1 Package

Complete!
`;

describe('DnfDriver', () => {
  it('reads versions with rpm -q: epochs kept, the highest of several instances, null when absent', async () => {
    const runner = new ScriptedRunner([rpmQuery(['openssl-libs', 'kernel-core', 'pw-new'], RPM_OUT, 1)]);
    expect(await new DnfDriver(runner).queryVersions(['openssl-libs', 'kernel-core', 'pw-new'])).toEqual([
      { name: 'openssl-libs', version: '1:3.0.7-27.el9' },
      { name: 'kernel-core', version: '5.14.0-427.13.1.el9_4' },
      { name: 'pw-new', version: null },
    ]);
  });

  it('treats a name rpm said nothing about as a failure, not as absent', async () => {
    const runner = new ScriptedRunner([rpmQuery(['curl'], '', 1)]);
    await expect(new DnfDriver(runner).queryVersions(['curl'])).rejects.toBeInstanceOf(CommandFailedError);
  });

  it('installs exact NEVRs in one dnf install with fresh metadata, whatever the direction', async () => {
    const runner = new ScriptedRunner([{ argv: ['dnf', 'install', '-y', '--refresh', 'openssl-libs-1:3.0.7-27.el9', 'curl-7.76.1-29.el9_4'], stdout: DNF_INSTALL_OK }]);
    const records = await new DnfDriver(runner).install([
      { name: 'openssl-libs', version: '1:3.0.7-27.el9' },
      { name: 'curl', version: '7.76.1-29.el9_4' },
    ]);
    expect(records.map((r) => r.exitCode)).toEqual([0]);
    expect(runner.calls[0]?.options?.timeoutMs).toBe(30 * 60_000);
  });

  it('throws CommandFailedError with the record when dnf fails', async () => {
    const runner = new ScriptedRunner([
      {
        argv: ['dnf', 'install', '-y', '--refresh', 'curl-7.76.1-99.el9'],
        exitCode: 1,
        stdout: 'No match for argument: curl-7.76.1-99.el9\n',
        stderr: 'Error: Unable to find a match: curl-7.76.1-99.el9\n',
      },
    ]);
    const err = await new DnfDriver(runner).install([{ name: 'curl', version: '7.76.1-99.el9' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).record.exitCode).toBe(1);
    expect((err as CommandFailedError).message).toBe('dnf install -y --refresh curl-7.76.1-99.el9: exit 1: Error: Unable to find a match: curl-7.76.1-99.el9');
  });

  it('fails a transaction that exits 0 after a %post scriptlet failed (the output of the real dnf 4.14)', async () => {
    const runner = new ScriptedRunner([
      {
        argv: ['dnf', 'install', '-y', '--refresh', 'pw-broken-1.1-1'],
        stdout:
          'Running transaction\n  Upgrading        : pw-broken-1.1-1.noarch                                 1/2 \n  Running scriptlet: pw-broken-1.1-1.noarch                                 1/2 \npw-broken 1.1: %post fails on purpose\nwarning: %post(pw-broken-1.1-1.noarch) scriptlet failed, exit status 1\n\n  Cleanup          : pw-broken-1.0-1.noarch                                 2/2 \n\nUpgraded:\n  pw-broken-1.1-1.noarch\n\nComplete!\n',
        stderr: 'Error in POSTIN scriptlet in rpm package pw-broken\n',
      },
    ]);
    const err = await new DnfDriver(runner).install([{ name: 'pw-broken', version: '1.1-1' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).record.exitCode).toBe(0);
    expect((err as CommandFailedError).message).toMatch(
      /^dnf install -y --refresh pw-broken-1.1-1: exit 0, but a package scriptlet failed: %post\(pw-broken-1.1-1.noarch\) scriptlet failed, exit status 1; Error in POSTIN scriptlet in rpm package pw-broken/,
    );
  });

  it('restores recorded versions with dnf install and removes the packages that were absent', async () => {
    const runner = new ScriptedRunner([
      { argv: ['dnf', 'install', '-y', 'openssl-libs-1:3.0.7-25.el9'], stdout: 'Downgrading:\n openssl-libs x86_64 1:3.0.7-25.el9 baseos 2.2 M\nComplete!\n' },
      rpmQuery(['pw-new'], 'pw-new\t(none)\t1.0\t1.el9\n'),
      { argv: ['dnf', 'remove', '-y', 'pw-new'], stdout: 'Removed:\n  pw-new-1.0-1.el9.noarch\n\nComplete!\n' },
    ]);
    await new DnfDriver(runner).restore([
      { name: 'openssl-libs', version: '1:3.0.7-25.el9' },
      { name: 'pw-new', version: null },
    ]);
    expect(runner.remaining).toEqual([]);
  });

  it('asks dnf needs-restarting -r: exit 1 saying so is a reboot, 0 is none, anything else an error', async () => {
    const required = new ScriptedRunner([
      {
        argv: ['dnf', 'needs-restarting', '-r'],
        exitCode: 1,
        stdout:
          'Core libraries or services have been updated since boot-up:\n  * kernel\n  * systemd\n\nReboot is required to fully utilize these updates.\nMore information: https://access.redhat.com/solutions/27943\n',
      },
    ]);
    expect(await new DnfDriver(required).rebootRequired()).toBe(true);
    const none = new ScriptedRunner([
      { argv: ['dnf', 'needs-restarting', '-r'], exitCode: 0, stdout: 'No core libraries or services have been updated since boot-up.\nReboot should not be necessary.\n' },
    ]);
    expect(await new DnfDriver(none).rebootRequired()).toBe(false);
    // The real dnf 4.14 in a tree without /proc: dnf's exit 1 for an error is not a reboot.
    const broken = new ScriptedRunner([{ argv: ['dnf', 'needs-restarting', '-r'], exitCode: 1, stderr: "[Errno 2] No such file or directory: '/proc/1'\n" }]);
    await expect(new DnfDriver(broken).rebootRequired()).rejects.toThrow(/exit 1 \(dnf needs-restarting -r comes with dnf-plugins-core\).*\/proc\/1/);
    const missing = new ScriptedRunner([{ argv: ['dnf', 'needs-restarting', '-r'], exitCode: null, stderr: 'cannot start dnf: spawn dnf ENOENT' }]);
    await expect(new DnfDriver(missing).rebootRequired()).rejects.toThrow(/dnf-plugins-core/);
  });

  it('refuses names and versions that are not exact RPM ones before running anything', async () => {
    const runner = new ScriptedRunner([]);
    const dnf = new DnfDriver(runner);
    const bad: [string, string | null, RegExp][] = [
      ['curl;reboot', '7.76.1-29.el9', /"curl;reboot": not a valid RPM package name/],
      ['curl*', '7.76.1-29.el9', /not a valid RPM package name/],
      ['-y', '1-1', /not a valid RPM package name/],
      ['curl', '7.76.1', /needs a release/],
      ['curl', '7.76.1-29 el9', /blank/],
      ['curl', '1:2:3-4', /version "1:2:3-4"/],
    ];
    for (const [name, version, message] of bad) {
      await expect(dnf.install([{ name, version }])).rejects.toMatchObject({ code: 'PW_INPUT_INVALID', message: expect.stringMatching(message) });
    }
    expect(() => dnf.validate([{ name: 'curl', version: '1-1' }, { name: 'curl', version: '1-2' }])).toThrow(/named twice/);
    expect(runner.calls).toEqual([]);
  });
});

describe('YumDriver', () => {
  it('downgrades lower targets with yum downgrade and installs the others with yum install', async () => {
    const runner = new ScriptedRunner([
      { argv: ['yum', 'clean', 'expire-cache'], stdout: 'Loaded plugins: fastestmirror\nCleaning repos: base extras updates\n6 metadata files removed\n' },
      rpmQuery(['openssl-libs', 'curl', 'pw-new'], 'openssl-libs\t1\t3.0.7\t27.el7\ncurl\t(none)\t7.29.0\t59.el7\npackage pw-new is not installed\n', 1),
      { argv: ['yum', 'downgrade', '-y', 'openssl-libs-1:3.0.7-25.el7'], stdout: 'Complete!\n' },
      { argv: ['yum', 'install', '-y', 'curl-7.29.0-60.el7', 'pw-new-1.0-1.el7'], stdout: 'Complete!\n' },
    ]);
    await new YumDriver(runner).install([
      { name: 'openssl-libs', version: '1:3.0.7-25.el7' },
      { name: 'curl', version: '7.29.0-60.el7' },
      { name: 'pw-new', version: '1.0-1.el7' },
    ]);
    expect(runner.remaining).toEqual([]);
  });

  it("fails a transaction that yum 3 calls complete after a \"Non-fatal\" scriptlet failure", async () => {
    const runner = new ScriptedRunner([
      { argv: ['yum', 'clean', 'expire-cache'] },
      rpmQuery(['pw-broken'], 'pw-broken\t(none)\t1.0\t1.el7\n'),
      {
        argv: ['yum', 'install', '-y', 'pw-broken-1.1-1.el7'],
        stdout: '  Updating   : pw-broken-1.1-1.el7.noarch    1/2\nwarning: %post(pw-broken-1.1-1.el7.noarch) scriptlet failed, exit status 1\nNon-fatal POSTIN scriptlet failure in rpm package pw-broken-1.1-1.el7.noarch\n\nUpdated:\n  pw-broken.noarch 0:1.1-1.el7\n\nComplete!\n',
      },
    ]);
    await expect(new YumDriver(runner).install([{ name: 'pw-broken', version: '1.1-1.el7' }])).rejects.toThrow(/exit 0, but a package scriptlet failed: .*Non-fatal POSTIN/);
  });

  it('asks yum-utils\' needs-restarting -r', async () => {
    const runner = new ScriptedRunner([{ argv: ['needs-restarting', '-r'], exitCode: 1, stdout: 'Reboot is required to ensure that your system benefits from these updates.\n' }]);
    expect(await new YumDriver(runner).rebootRequired()).toBe(true);
  });

  it('removes absent packages with yum remove', async () => {
    const runner = new ScriptedRunner([rpmQuery(['pw-new'], 'pw-new\t(none)\t1.0\t1.el7\n'), { argv: ['yum', 'remove', '-y', 'pw-new'], stdout: 'Complete!\n' }]);
    await new YumDriver(runner).restore([{ name: 'pw-new', version: null }]);
    expect(runner.remaining).toEqual([]);
    expect(new YumDriver(runner).kind).toBe('yum');
  });
});

describe('ZypperDriver', () => {
  const install = ['zypper', '--non-interactive', 'install', '--oldpackage', 'libopenssl3=3.1.4-150600.5.7.1'];

  const refresh = { argv: ['zypper', '--non-interactive', 'refresh'], stdout: "Repository 'Main Update Repository' is up to date.\nAll repositories have been refreshed.\n" };

  it('refreshes, then installs exact editions with --oldpackage; exit 102 (reboot needed) is a success', async () => {
    const runner = new ScriptedRunner([
      refresh,
      {
        argv: install,
        exitCode: 102,
        stdout: 'Loading repository data...\nReading installed packages...\nResolving package dependencies...\n\nThe following package is going to be upgraded:\n  libopenssl3\n\n1 package to upgrade.\n',
      },
    ]);
    expect((await new ZypperDriver(runner).install([{ name: 'libopenssl3', version: '3.1.4-150600.5.7.1' }])).map((r) => r.exitCode)).toEqual([0, 102]);
  });

  it('installs even when the refresh fails: the install decides', async () => {
    const runner = new ScriptedRunner([
      { argv: ['zypper', '--non-interactive', 'refresh'], exitCode: 4, stderr: "Repository 'Main Update Repository' is invalid.\n" },
      { argv: install },
    ]);
    expect((await new ZypperDriver(runner).install([{ name: 'libopenssl3', version: '3.1.4-150600.5.7.1' }])).map((r) => r.exitCode)).toEqual([4, 0]);
  });

  it('treats exit 107 (a package scriptlet failed) as a failure', async () => {
    const runner = new ScriptedRunner([refresh, { argv: install, exitCode: 107, stdout: 'warning: %post(libopenssl3-3.1.4-150600.5.7.1.x86_64) scriptlet failed, exit status 1\n' }]);
    await expect(new ZypperDriver(runner).install([{ name: 'libopenssl3', version: '3.1.4-150600.5.7.1' }])).rejects.toThrow(/exit 107.*scriptlet failed/s);
  });

  it('restores with install --oldpackage and zypper remove', async () => {
    const runner = new ScriptedRunner([
      { argv: ['zypper', '--non-interactive', 'install', '--oldpackage', 'libopenssl3=3.1.4-150600.5.3.1'] },
      rpmQuery(['pw-new'], 'pw-new\t(none)\t1.0\t1.1\n'),
      { argv: ['zypper', '--non-interactive', 'remove', 'pw-new'] },
    ]);
    await new ZypperDriver(runner).restore([
      { name: 'libopenssl3', version: '3.1.4-150600.5.3.1' },
      { name: 'pw-new', version: null },
    ]);
    expect(runner.remaining).toEqual([]);
  });

  it('reads the reboot flag from zypper needs-rebooting, and from /run/reboot-needed when zypper is too old', async () => {
    const needed = new ScriptedRunner([{ argv: ['zypper', '--non-interactive', 'needs-rebooting'], exitCode: 102 }]);
    expect(await new ZypperDriver(needed).rebootRequired()).toBe(true);
    const notNeeded = new ScriptedRunner([{ argv: ['zypper', '--non-interactive', 'needs-rebooting'], exitCode: 0 }]);
    expect(await new ZypperDriver(notNeeded).rebootRequired()).toBe(false);
    const old = new ScriptedRunner([
      { argv: ['zypper', '--non-interactive', 'needs-rebooting'], exitCode: 1, stderr: "Unknown command 'needs-rebooting'\n" },
      { argv: ['test', '-e', '/run/reboot-needed'], exitCode: 0 },
    ]);
    expect(await new ZypperDriver(old).rebootRequired()).toBe(true);
  });
});
