/**
 * The dpkg hosts' reboot rule: which packages count, dpkg-query's output read against the boot
 * time, and the local query's exit statuses.
 * The outputs are in the form bookworm's dpkg-query 1.21 prints for DPKG_UNPACK_TIME_FORMAT.
 */
import { describe, expect, it } from 'vitest';
import { DPKG_UNPACK_TIME_QUERY, dpkgPackagesAwaitingReboot, dpkgRebootPackagesSince, isDpkgFamily, isDpkgRebootPackage } from './dpkg-reboot-hint.js';
import type { RunCommand } from './run-command.js';

const BOOTED = 1_765_000_000;
const ok = (stdout: string, exitCode: number | null = 0, stderr = '') => ({ exitCode, stdout, stderr });

describe('isDpkgRebootPackage', () => {
  it('counts kernel images, the C library, process 1, the system bus and microcode, and nothing else', () => {
    for (const name of ['linux-image-6.1.0-18-amd64', 'linux-image-amd64', 'linux-image-unsigned-6.8.0-31-generic', 'linux-signed-image-4.15.0-20-generic', 'libc6', 'systemd', 'dbus', 'dbus-daemon', 'dbus-broker', 'intel-microcode', 'amd64-microcode', 'linux-firmware']) {
      expect(isDpkgRebootPackage(name), name).toBe(true);
    }
    // Debug symbols, build inputs, the kernel hooks' scripts, libraries near the listed ones, per-device firmware.
    for (const name of ['linux-image-6.1.0-18-amd64-dbg', 'linux-image-6.8.0-31-generic-dbgsym', 'linux-headers-6.1.0-18-amd64', 'linux-base', 'linux-modules-6.8.0-31-generic', 'libc6-dev', 'libc-bin', 'libsystemd0', 'systemd-timesyncd', 'dbus-user-session', 'firmware-iwlwifi', 'pw-kernel']) {
      expect(isDpkgRebootPackage(name), name).toBe(false);
    }
  });

  it('is what the query asks dpkg-query for, after `--`', () => {
    expect(DPKG_UNPACK_TIME_QUERY.slice(0, 4)).toEqual(['dpkg-query', '-W', '-f=${Package}\\t${db:Status-Status}\\t${db-fsys:Last-Modified}\\n', '--']);
    for (const pattern of DPKG_UNPACK_TIME_QUERY.slice(4)) expect(isDpkgRebootPackage(pattern.replace('*', 'x')), pattern).toBe(true);
  });
});

describe('dpkgRebootPackagesSince', () => {
  it('names the reboot packages whose file list changed after boot, each once', () => {
    const output = [
      `linux-image-6.1.0-17-amd64\tinstalled\t${BOOTED - 86_400}`,
      `linux-image-6.1.0-18-amd64\tinstalled\t${BOOTED + 600}`,
      `linux-image-amd64\tinstalled\t${BOOTED + 601}`,
      `linux-image-6.1.0-18-amd64-dbg\tinstalled\t${BOOTED + 600}`,
      // Multi-Arch: same prints one line per architecture.
      `libc6\tinstalled\t${BOOTED + 30}`,
      `libc6\tinstalled\t${BOOTED + 30}`,
      `systemd\tinstalled\t${BOOTED}`,
      `dbus\tconfig-files\t`,
      `intel-microcode\tnot-installed\t`,
      `pw-hello\tinstalled\t${BOOTED + 5}`,
      'garbage',
      '',
    ].join('\n');
    // systemd unpacked in the boot's own second is not after it.
    expect(dpkgRebootPackagesSince(ok(output), BOOTED)).toEqual({ ok: true, packages: ['libc6', 'linux-image-6.1.0-18-amd64', 'linux-image-amd64'] });
    expect(dpkgRebootPackagesSince(ok(output), BOOTED + 86_400)).toEqual({ ok: true, packages: [] });
  });

  it('takes exit 1 (a pattern that matched nothing) as an answer, and any other failure as none', () => {
    const stderr = 'dpkg-query: no packages found matching linux-signed-image-*\n';
    expect(dpkgRebootPackagesSince(ok(`linux-image-6.1.0-18-amd64\tinstalled\t${BOOTED + 1}\n`, 1, stderr), BOOTED)).toEqual({ ok: true, packages: ['linux-image-6.1.0-18-amd64'] });
    expect(dpkgRebootPackagesSince(ok('', 2, 'dpkg-query: error: parsing file /var/lib/dpkg/status\n'), BOOTED)).toMatchObject({ ok: false });
    expect(dpkgRebootPackagesSince(ok('', null), BOOTED)).toMatchObject({ ok: false });
  });

  it('does not read a dpkg without db-fsys:Last-Modified as "nothing changed"', () => {
    // dpkg before 1.19.3 prints an unknown virtual field as nothing.
    expect(dpkgRebootPackagesSince(ok(`libc6\tinstalled\t\nsystemd\tinstalled\t\n`), BOOTED)).toEqual({
      ok: false,
      why: 'printed no db-fsys:Last-Modified for libc6 (dpkg before 1.19.3 has none): which packages changed since boot is unknown',
    });
  });
});

describe('dpkgPackagesAwaitingReboot (the agent on its own machine)', () => {
  const options = (run: RunCommand) => ({ run, timeoutMs: 1000, maxBuffer: 1024 });
  /** execFile's rejection for a non-zero exit: the status in `code`, the output attached. */
  const exited = (code: number | string, stdout: string, stderr: string) => Object.assign(new Error(`Command failed: dpkg-query`), { code, stdout, stderr });

  it('runs the query and reads its output, exit 1 included', async () => {
    const calls: string[][] = [];
    const run: RunCommand = (file, args) => {
      calls.push([file, ...args]);
      return Promise.reject(exited(1, `linux-image-6.1.0-18-amd64\tinstalled\t${BOOTED + 60}\n`, 'dpkg-query: no packages found matching dbus-broker\n'));
    };
    expect(await dpkgPackagesAwaitingReboot(options(run), BOOTED)).toEqual(['linux-image-6.1.0-18-amd64']);
    expect(calls).toEqual([[...DPKG_UNPACK_TIME_QUERY]]);
    expect(await dpkgPackagesAwaitingReboot(options(() => Promise.resolve({ stdout: `libc6\tinstalled\t${BOOTED - 60}\n`, stderr: '' })), BOOTED)).toEqual([]);
  });

  it('throws PW_INPUT_UNREADABLE when dpkg-query is missing, fails or cannot tell', async () => {
    await expect(dpkgPackagesAwaitingReboot(options(() => Promise.reject(exited('ENOENT', '', ''))), BOOTED)).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('dpkg-query did not run') });
    await expect(dpkgPackagesAwaitingReboot(options(() => Promise.reject(exited(2, '', 'dpkg-query: error: parsing file /var/lib/dpkg/status\n'))), BOOTED)).rejects.toMatchObject({
      code: 'PW_INPUT_UNREADABLE',
      message: 'dpkg-query: could not list the reboot packages: dpkg-query: error: parsing file /var/lib/dpkg/status',
    });
    await expect(dpkgPackagesAwaitingReboot(options(() => Promise.resolve({ stdout: 'libc6\tinstalled\t\n', stderr: '' })), BOOTED)).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('dpkg before 1.19.3') });
  });
});

describe('isDpkgFamily', () => {
  const os = (id: string, idLike: string[] = []) => ({ id, idLike });
  it('is Debian, Ubuntu and what is like them', () => {
    expect(isDpkgFamily(os('debian'))).toBe(true);
    expect(isDpkgFamily(os('linuxmint', ['ubuntu', 'debian']))).toBe(true);
    expect(isDpkgFamily(os('rocky', ['rhel', 'centos', 'fedora']))).toBe(false);
    expect(isDpkgFamily(os('opensuse-leap', ['suse', 'opensuse']))).toBe(false);
    expect(isDpkgFamily(null)).toBe(false);
  });
});
