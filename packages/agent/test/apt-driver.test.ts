/**
 * The apt driver's validation and parsing without a Debian tree (test/e2e/agent-execution.test.ts
 * runs it against real apt and dpkg). dpkg-query output here is in the form the format string
 * asks for, as bookworm's dpkg-query prints it.
 */
import { describe, expect, it } from 'vitest';
import { AptDriver } from '@patchwise/agent';
import { ScriptedRunner } from './support/scripted-runner.js';

const QUERY = ['dpkg-query', '-W', '-f=${Package}\\t${db:Status-Status}\\t${Version}\\n', '--'];

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

  it('reads the reboot flag through the runner', async () => {
    expect(await new AptDriver(new ScriptedRunner([{ argv: ['test', '-e', '/var/run/reboot-required'], exitCode: 0 }])).rebootRequired()).toBe(true);
    expect(await new AptDriver(new ScriptedRunner([{ argv: ['test', '-e', '/var/run/reboot-required'], exitCode: 1 }])).rebootRequired()).toBe(false);
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
