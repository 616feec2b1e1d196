/**
 * An agentless Rocky Linux host's pending reboot: no marker file, so the packages installed since
 * boot decide, asked with the same query as the agent's (rpm-reboot-hint.ts). The host is a
 * runner answering from a table of what the real commands print there; any command not in the
 * table answers as a missing file does, so an unexpected read cannot pass unnoticed as data.
 */
import type { CommandRecord } from '@patchwise/core';
import { collectRemoteInventory, type CommandRunner } from '@patchwise/agent';
import { describe, expect, it } from 'vitest';

const ROCKY = 'NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nID_LIKE="rhel centos fedora"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n';
const BOOTED = 1_765_000_000;
/** /proc/1/stat with process 1 started `seconds` after the kernel booted (field 22, in clock ticks of 1/100 s). */
const procOneStat = (seconds: number) => `1 (systemd) S 0 1 1 0 -1 4194560 51346 4718561 118 1290 183 404 5797 1937 20 0 1 0 ${seconds * 100} 172011520 3254\n`;
const INSTALL_TIMES = `kernel-core\t${BOOTED - 86_400}\nkernel-core\t${BOOTED + 7_200}\nglibc\t${BOOTED - 86_400}\nsystemd\t${BOOTED - 86_400}\n`;

class FakeRockyHost implements CommandRunner {
  readonly description = 'fake:rocky';
  readonly seen: string[] = [];
  constructor(private readonly answers: Record<string, Partial<CommandRecord>>) {}

  run(step: string, argv: readonly string[]): Promise<CommandRecord> {
    const key = argv.join(' ');
    this.seen.push(key);
    const answer = this.answers[key] ?? this.answers[argv[0] === 'rpm' ? rpmQueryName(argv) : ''] ?? { exitCode: 1, stderr: `${argv[0]}: ${argv.at(-1)}: No such file or directory` };
    return Promise.resolve({ step, argv: [...argv], exitCode: 0, signal: null, stdout: '', stderr: '', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, ...answer });
  }
}

/** Which of the two rpm queries this is: the package list, or the install times of the reboot packages. */
function rpmQueryName(argv: readonly string[]): string {
  return argv.some((a) => a.includes('%{INSTALLTIME}')) ? 'rpm install times' : 'rpm packages';
}

function rockyHost(extra: Record<string, Partial<CommandRecord>> = {}): FakeRockyHost {
  return new FakeRockyHost({
    'cat -- /etc/os-release': { stdout: ROCKY },
    'uname -n -r -m': { stdout: 'web-1 5.14.0-427.13.1.el9_4.x86_64 x86_64\n' },
    'test -e /run/reboot-required -o -e /var/run/reboot-required -o -e /run/reboot-needed': { exitCode: 1 },
    'ls -1A -- /usr/lib/sysimage/rpm': { stdout: 'rpmdb.sqlite\nrpmdb.sqlite-shm\nrpmdb.sqlite-wal\n' },
    'date +%s': { stdout: `${BOOTED + 90_000}\n` },
    'cat /proc/uptime': { stdout: '90000.25 170000.00\n' },
    'cat /proc/net/fib_trie': { stdout: 'Local:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 10.0.0.7\n        /32 host LOCAL\n' },
    'cat /proc/net/if_inet6': { stdout: '' },
    'cat /proc/1/stat': { stdout: procOneStat(0.25) },
    'rpm install times': { stdout: INSTALL_TIMES },
    'rpm packages': { stdout: 'kernel-core\t(none)\t5.14.0\t427.13.1.el9_4\tx86_64\tkernel-5.14.0-427.13.1.el9_4.src.rpm\n' },
    ...extra,
  });
}

describe('an agentless rpm host without a reboot marker', () => {
  it('needs a reboot when a kernel was installed after boot, asking rpm for the reboot packages', async () => {
    const host = rockyHost();
    expect((await factsOnly(host)).rebootRequired).toBe(true);
    const query = host.seen.find((c) => c.includes('%{INSTALLTIME}'));
    expect(query).toBe('rpm --root / --dbpath /usr/lib/sysimage/rpm --define _db_backend sqlite -qa --qf %{NAME}\\t%{INSTALLTIME}\\n kernel kernel-core kernel-rt glibc linux-firmware systemd dbus dbus-broker dbus-daemon');
  });

  it('needs none when everything was installed before boot', async () => {
    const facts = await factsOnly(rockyHost({ 'rpm install times': { stdout: `kernel-core\t${BOOTED - 5}\nglibc\t${BOOTED - 86_400}\n` } }));
    expect(facts.rebootRequired).toBe(false);
  });

  it('takes the later of uptime and process 1 as the boot (a container started after the host)', async () => {
    // The kernel says the host booted a day earlier; process 1 (the container) started after the kernel update.
    const facts = await factsOnly(rockyHost({ 'cat /proc/uptime': { stdout: `${90_000 + 86_400}.00 0\n` }, 'cat /proc/1/stat': { stdout: procOneStat(86_400 + 8_000) } }));
    expect(facts.rebootRequired).toBe(false);
  });

  it('says unknown, and why, when the host does not answer the clock or the uptime, or rpm fails', async () => {
    const unknown = async (answers: Record<string, Partial<CommandRecord>>) => {
      const remote = await collectRemoteInventory(rockyHost(answers), { hostName: 'web-1' });
      expect(remote.facts.rebootRequired).toBeNull();
      // The other facts and the packages are read all the same.
      expect(remote.facts).toMatchObject({ hostname: 'web-1', kernelRelease: '5.14.0-427.13.1.el9_4.x86_64', os: { id: 'rocky' }, ipAddresses: ['10.0.0.7'] });
      expect(remote.document.packages.map((p) => p.name)).toEqual(['kernel-core']);
      // An unanswered uptime is also the uptime fact's problem, and says the same.
      const reboot = remote.unreadableFacts.find((u) => u.fact === 'rebootRequired');
      const others = remote.unreadableFacts.filter((u) => u.fact !== 'rebootRequired');
      expect(others.map((u) => [u.fact, u.error.message])).toEqual('cat /proc/uptime' in answers ? [['uptimeSeconds', reboot?.error.message]] : []);
      return reboot?.error;
    };
    expect(await unknown({ 'date +%s': { exitCode: 127, stdout: '', stderr: "env: 'date': No such file or directory" } })).toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: "fake:rocky: date +%s failed (exit 127): env: 'date': No such file or directory" });
    // /proc not mounted (a chroot), or hidden from the account.
    expect(await unknown({ 'cat /proc/uptime': { exitCode: 1, stdout: '', stderr: 'cat: /proc/uptime: No such file or directory' } })).toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: 'fake:rocky:/proc/uptime: cat failed (exit 1): cat: /proc/uptime: No such file or directory' });
    expect(await unknown({ 'cat /proc/uptime': { stdout: 'soon\n' } })).toMatchObject({ code: 'PW_INPUT_MALFORMED', message: 'fake:rocky:/proc/uptime: "soon" does not start with seconds since boot' });
    expect(await unknown({ 'rpm install times': { exitCode: 1, stderr: 'error: rpmdb open failed' } })).toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: 'rpm database fake:rocky:/usr/lib/sysimage/rpm: rpm -qa failed (exit 1): error: rpmdb open failed' });
  });

  it('says unknown without a problem when the host has no rpm program to ask', async () => {
    const remote = await collectRemoteInventory(rockyHost({ 'rpm install times': { exitCode: 127, stderr: "env: 'rpm': No such file or directory" }, 'rpm packages': { exitCode: 127 } }), { hostName: 'web-1' });
    expect(remote.facts.rebootRequired).toBeNull();
    expect(remote.unreadableFacts).toEqual([]);
  });

  it('takes the marker when there is one, without asking rpm', async () => {
    const host = rockyHost({ 'test -e /run/reboot-required -o -e /var/run/reboot-required -o -e /run/reboot-needed': { exitCode: 0 } });
    expect((await factsOnly(host)).rebootRequired).toBe(true);
    expect(host.seen.some((c) => c.includes('%{INSTALLTIME}'))).toBe(false);
  });
});

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
const UNPACK_TIMES = ['dpkg-query', '-W', '-f=${Package}\\t${db:Status-Status}\\t${db-fsys:Last-Modified}\\n', '--', 'linux-image-*'];

/** A plain Debian host (no update-notifier, no unattended-upgrades): nothing ever creates the marker. */
function debianHost(unpacked: Partial<CommandRecord>, extra: Record<string, Partial<CommandRecord>> = {}): FakeRockyHost {
  const query = `${UNPACK_TIMES.join(' ')} linux-signed-image-* libc6 systemd dbus dbus-daemon dbus-broker intel-microcode amd64-microcode linux-firmware`;
  return rockyHost({ 'cat -- /etc/os-release': { stdout: DEBIAN }, 'uname -n -r -m': { stdout: 'web-1 6.1.0-17-amd64 x86_64\n' }, [query]: unpacked, ...extra });
}

describe('an agentless Debian host without a reboot marker', () => {
  const times = (kernel: number) => ({ exitCode: 1, stdout: `libc6\tinstalled\t${BOOTED - 86_400}\nlinux-image-6.1.0-18-amd64\tinstalled\t${kernel}\n`, stderr: 'dpkg-query: no packages found matching dbus-broker\n' });

  it('needs a reboot when a kernel image was unpacked after boot, and none when it came before', async () => {
    const host = debianHost(times(BOOTED + 7_200));
    expect((await factsOnly(host)).rebootRequired).toBe(true);
    // Debian's own query; rpm is not asked about reboots.
    expect(host.seen.some((c) => c.includes('%{INSTALLTIME}'))).toBe(false);
    expect((await factsOnly(debianHost(times(BOOTED - 5)))).rebootRequired).toBe(false);
  });

  it('takes the marker when there is one, without asking dpkg', async () => {
    const host = debianHost(times(BOOTED - 5), { 'test -e /run/reboot-required -o -e /var/run/reboot-required -o -e /run/reboot-needed': { exitCode: 0 } });
    expect((await factsOnly(host)).rebootRequired).toBe(true);
    expect(host.seen.some((c) => c.startsWith('dpkg-query'))).toBe(false);
  });

  it('says unknown, and why, when dpkg-query fails or cannot tell', async () => {
    const unknown = async (host: FakeRockyHost) => {
      const remote = await collectRemoteInventory(host, { hostName: 'web-1' });
      expect(remote.facts.rebootRequired).toBeNull();
      return remote.unreadableFacts.find((u) => u.fact === 'rebootRequired')?.error;
    };
    expect(await unknown(debianHost({ exitCode: 2, stderr: 'dpkg-query: error: parsing file /var/lib/dpkg/status\n' }))).toMatchObject({
      code: 'PW_INPUT_UNREADABLE',
      message: 'fake:rocky: dpkg-query failed (exit 2): dpkg-query: error: parsing file /var/lib/dpkg/status',
    });
    expect(await unknown(debianHost({ stdout: 'libc6\tinstalled\t\n' }))).toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('fake:rocky: dpkg-query: printed no db-fsys:Last-Modified for libc6') });
  });
});

/** The facts of a whole remote collection. */
async function factsOnly(host: FakeRockyHost) {
  return (await collectRemoteInventory(host, { hostName: 'web-1' })).facts;
}
