/**
 * The apt driver's validation and parsing without a Debian tree (test/e2e/agent-execution.test.ts
 * runs it against real apt and dpkg). dpkg-query output here is in the form the format string
 * asks for, as bookworm's dpkg-query prints it.
 */
import { describe, expect, it } from 'vitest';
import { AptDriver, CommandFailedError } from '@patchwise/agent';
import { ScriptedRunner } from './support/scripted-runner.js';

const QUERY = ['dpkg-query', '-W', '-f=${Package}\\t${db:Status-Status}\\t${Version}\\n', '--'];
/** The reboot packages' unpack times (dpkg-reboot-hint.ts), written out so a change of the query shows here. */
const UNPACK_QUERY = [
  'dpkg-query',
  '-W',
  '-f=${Package}\\t${db:Status-Status}\\t${db-fsys:Last-Modified}\\n',
  '--',
  'linux-image-*',
  'linux-signed-image-*',
  'libc6',
  'systemd',
  'dbus',
  'dbus-daemon',
  'dbus-broker',
  'intel-microcode',
  'amd64-microcode',
  'linux-firmware',
];
const BOOTED = 1_765_000_000;

describe('AptDriver', () => {
  it('counts only installed packages, prefers the installed architecture, and reads unknown names as absent', async () => {
    const runner = new ScriptedRunner([
      {
        argv: [...QUERY, 'libssl3', 'pw-broken', 'pw-gone', 'pw-unknown'],
        // libssl3 is Multi-Arch: same (two lines); pw-broken's postinst failed; pw-gone left its conffiles.
        stdout: 'libssl3\tconfig-files\t3.0.9-1\nlibssl3\tinstalled\t3.0.11-1~deb12u2\npw-broken\thalf-configured\t1.1\npw-gone\tconfig-files\t1.0\n',
        stderr: 'dpkg-query: no packages found matching pw-unknown\n',
        exitCode: 1,
      },
    ]);
    expect(await new AptDriver(runner).queryVersions(['libssl3', 'pw-broken', 'pw-gone', 'pw-unknown'])).toEqual([
      { name: 'libssl3', version: '3.0.11-1~deb12u2' },
      { name: 'pw-broken', version: null },
      { name: 'pw-gone', version: null },
      { name: 'pw-unknown', version: null },
    ]);
  });

  it('treats another dpkg-query failure as an error', async () => {
    const runner = new ScriptedRunner([{ argv: [...QUERY, 'bash'], exitCode: 2, stderr: 'dpkg-query: error: parsing file /var/lib/dpkg/status\n' }]);
    await expect(new AptDriver(runner).queryVersions(['bash'])).rejects.toThrow(/exit 2: dpkg-query: error: parsing/);
  });

  it('reads the reboot flag through the runner, and then the reboot packages unpacked since boot', async () => {
    const marker = (exitCode: number) => ({ argv: ['test', '-e', '/var/run/reboot-required'], exitCode });
    // The marker answers alone: nothing else is asked.
    expect(await new AptDriver(new ScriptedRunner([marker(0)])).rebootRequired()).toBe(true);
    const booted = [
      { argv: ['date', '+%s'], stdout: `${BOOTED + 7_200}\n` },
      { argv: ['cat', '/proc/uptime'], stdout: '7200.00 14000.00\n' },
      { argv: ['cat', '/proc/1/stat'], stdout: `1 (systemd) S 0 1 1 0 -1 4194560 51346 4718561 118 1290 183 404 5797 1937 20 0 1 0 25 172011520 3254\n` },
    ];
    const unpacked = (stdout: string, exitCode = 1) => ({ argv: UNPACK_QUERY, stdout, exitCode, stderr: 'dpkg-query: no packages found matching linux-signed-image-*\n' });
    // Plain Debian: no marker, a kernel image unpacked an hour after boot.
    const kernel = new ScriptedRunner([marker(1), ...booted, unpacked(`libc6\tinstalled\t${BOOTED - 86_400}\nlinux-image-6.1.0-18-amd64\tinstalled\t${BOOTED + 3_600}\n`)]);
    expect(await new AptDriver(kernel).rebootRequired()).toBe(true);
    expect(kernel.calls.map((c) => c.step)).toEqual(Array(5).fill('reboot-check'));
    expect(await new AptDriver(new ScriptedRunner([marker(1), ...booted, unpacked(`libc6\tinstalled\t${BOOTED - 86_400}\nlinux-image-6.1.0-18-amd64\tinstalled\t${BOOTED - 60}\n`)])).rebootRequired()).toBe(false);
    // A tree without /proc (a chroot, a mounted image): nothing runs there, the marker alone decides.
    const noProc = [booted[0]!, { argv: ['cat', '/proc/uptime'], exitCode: 1, stderr: 'cat: /proc/uptime: No such file or directory\n' }, { argv: ['cat', '/proc/1/stat'], exitCode: 1 }];
    expect(await new AptDriver(new ScriptedRunner([marker(1), ...noProc])).rebootRequired()).toBe(false);
  });

  it('fails the reboot check, naming the command, when the host cannot tell', async () => {
    const marker = { argv: ['test', '-e', '/var/run/reboot-required'], exitCode: 1 };
    const clock = { argv: ['date', '+%s'], stdout: `${BOOTED + 10}\n` };
    const proc1 = { argv: ['cat', '/proc/1/stat'], stdout: '1 (init) S 0 1 1 0 -1 4194560 51346 4718561 118 1290 183 404 5797 1937 20 0 1 0 25 172011520 3254\n' };
    const uptime = { argv: ['cat', '/proc/uptime'], stdout: '10.00 20.00\n' };
    await expect(new AptDriver(new ScriptedRunner([{ ...marker, exitCode: 2, stderr: 'test: extra argument\n' }])).rebootRequired()).rejects.toBeInstanceOf(CommandFailedError);
    await expect(new AptDriver(new ScriptedRunner([marker, clock, { ...uptime, exitCode: 1, stdout: '', stderr: 'cat: /proc/uptime: Permission denied\n' }, proc1])).rebootRequired()).rejects.toThrow(
      'cat /proc/uptime: cannot read the uptime: cat: /proc/uptime: Permission denied',
    );
    await expect(new AptDriver(new ScriptedRunner([marker, clock, uptime, proc1, { argv: UNPACK_QUERY, exitCode: 2, stderr: 'dpkg-query: error: parsing file /var/lib/dpkg/status\n' }])).rebootRequired()).rejects.toThrow(
      /^dpkg-query -W .*: could not list the reboot packages: dpkg-query: error: parsing file/,
    );
    // dpkg before 1.19.3: no time to compare, so no answer (rather than "no reboot").
    await expect(new AptDriver(new ScriptedRunner([marker, clock, uptime, proc1, { argv: UNPACK_QUERY, stdout: 'libc6\tinstalled\t\n' }])).rebootRequired()).rejects.toThrow(/dpkg before 1\.19\.3/);
  });

  it('refuses names and versions dpkg could not contain, naming the package and the reason', () => {
    const apt = new AptDriver(new ScriptedRunner([]));
    const cases: [string, string | null, string][] = [
      ['Bash', '5.2', '"Bash": not a valid Debian package name'],
      ['a', '1.0', '"a": not a valid Debian package name'],
      ['pw*', '1.0', '"pw*": not a valid Debian package name'],
      ['pw-hello', '1.0\n', '"pw-hello": version "1.0\\n": contains a blank or control character'],
      ['pw-hello', '-1', `"pw-hello": version "-1": starts with '-'`],
      ['pw-hello', '', '"pw-hello": version "": is empty'],
      ['pw-hello', 'a1.0', '"pw-hello": version "a1.0": '],
    ];
    for (const [name, version, message] of cases) {
      expect(() => apt.validate([{ name, version }]), `${name} ${String(version)}`).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', message: expect.stringContaining(message) }));
    }
    expect(() => apt.validate([{ name: 'libc6', version: '2.36-9+deb12u7' }, { name: 'pw-extra', version: null }])).not.toThrow();
  });

  it('compares versions as dpkg does', () => {
    const apt = new AptDriver(new ScriptedRunner([]));
    expect(apt.sameVersion('0:1.0', '1.0')).toBe(true);
    expect(apt.sameVersion('1.0-1', '1.0-1+b1')).toBe(false);
  });
});
