/**
 * The apk driver: argv and parsing. apk cannot run on this Debian machine; `apk list --installed`
 * output is written by hand in its documented form `name-version arch {origin} (license) [installed]`.
 */
import { describe, expect, it } from 'vitest';
import { ApkDriver, CommandFailedError, parseApkList } from '@patchwise/agent';
import { ScriptedRunner } from './support/scripted-runner.js';

const LIST = [
  'busybox-1.36.1-r29 x86_64 {busybox} (GPL-2.0-only) [installed]',
  'busybox-binsh-1.36.1-r29 x86_64 {busybox} (GPL-2.0-only) [installed]',
  'libcrypto3-3.3.2-r1 x86_64 {openssl} (Apache-2.0) [installed]',
  '',
].join('\n');

describe('ApkDriver', () => {
  it('reads versions from apk list --installed, telling busybox from busybox-binsh', async () => {
    const runner = new ScriptedRunner([{ argv: ['apk', 'list', '--installed', 'busybox', 'busybox-binsh', 'libcrypto3', 'pw-new'], stdout: LIST }]);
    expect(await new ApkDriver(runner).queryVersions(['busybox', 'busybox-binsh', 'libcrypto3', 'pw-new'])).toEqual([
      { name: 'busybox', version: '1.36.1-r29' },
      { name: 'busybox-binsh', version: '1.36.1-r29' },
      { name: 'libcrypto3', version: '3.3.2-r1' },
      { name: 'pw-new', version: null },
    ]);
    expect(parseApkList('busybox-binsh-1.36.1-r29 x86_64 {busybox} (GPL-2.0-only) [installed]\n', ['busybox']).size).toBe(0);
  });

  it('installs exact versions with apk add name=version', async () => {
    const runner = new ScriptedRunner([{ argv: ['apk', 'add', 'libcrypto3=3.3.2-r1', 'busybox=1.36.1-r29'], stdout: 'OK: 8 MiB in 15 packages\n' }]);
    await new ApkDriver(runner).install([
      { name: 'libcrypto3', version: '3.3.2-r1' },
      { name: 'busybox', version: '1.36.1-r29' },
    ]);
    expect(runner.remaining).toEqual([]);
  });

  it('fails when apk cannot select the version', async () => {
    const runner = new ScriptedRunner([
      { argv: ['apk', 'add', 'busybox=1.36.1-r99'], exitCode: 1, stderr: 'ERROR: unable to select packages:\n  busybox-1.36.1-r29:\n    breaks: world[busybox=1.36.1-r99]\n' },
    ]);
    await expect(new ApkDriver(runner).install([{ name: 'busybox', version: '1.36.1-r99' }])).rejects.toBeInstanceOf(CommandFailedError);
  });

  it('restores exact versions and deletes the packages that were absent', async () => {
    const runner = new ScriptedRunner([
      { argv: ['apk', 'add', 'libcrypto3=3.3.0-r2'] },
      { argv: ['apk', 'list', '--installed', 'pw-new'], stdout: 'pw-new-1.0-r0 x86_64 {pw-new} (MIT) [installed]\n' },
      { argv: ['apk', 'del', 'pw-new'] },
    ]);
    await new ApkDriver(runner).restore([
      { name: 'libcrypto3', version: '3.3.0-r2' },
      { name: 'pw-new', version: null },
    ]);
    expect(runner.remaining).toEqual([]);
  });

  it('never reports a reboot (Alpine has no documented signal) and runs nothing to say so', async () => {
    const runner = new ScriptedRunner([]);
    expect(await new ApkDriver(runner).rebootRequired()).toBe(false);
    expect(runner.calls).toEqual([]);
  });

  it('refuses constraints, tags and metacharacters in names, and invalid versions', () => {
    const apk = new ApkDriver(new ScriptedRunner([]));
    for (const name of ['busybox@edge', 'busybox>1', 'busy box', 'busybox;reboot', '-U']) {
      expect(() => apk.validate([{ name, version: '1.36.1-r29' }]), name).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
    }
    expect(() => apk.validate([{ name: 'busybox', version: 'r29' }])).toThrow(/version "r29"/);
    expect(apk.sameVersion('1.36.1-r29', '1.36.1-r29')).toBe(true);
  });
});
