/** The boot time the reboot hints compare with: process 1's start from /proc/1/stat, the uptime, the clock. */
import { describe, expect, it } from 'vitest';
import { BOOT_TIME_COMMANDS, bootTimeFrom, bootTimeOf, startAfterBootOf } from './boot-time.js';

const BOOTED = 1_765_000_000;
const ok = (stdout: string, exitCode: number | null = 0, stderr = '') => ({ exitCode, stdout, stderr });
/** /proc/1/stat as Linux 6.1 prints it, with process 1 started `ticks` clock ticks after boot. */
const stat = (ticks: number, name = 'systemd') => `1 (${name}) S 0 1 1 0 -1 4194560 51346 4718561 118 1290 183 404 5797 1937 20 0 1 0 ${ticks} 172011520 3254 18446744073709551615 1 1 0 0 0 0 671173123 4096 1260 0 0 0 17 3 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;

describe('startAfterBootOf', () => {
  it('reads field 22 in seconds, counting fields after the name, whatever the name holds', () => {
    expect(startAfterBootOf(stat(25))).toBe(0.25);
    expect(startAfterBootOf(stat(360_000, 'my (odd) init'))).toBe(3600);
    expect(startAfterBootOf('1 (systemd) S 0 1\n')).toBeNull();
    expect(startAfterBootOf('')).toBeNull();
  });
});

describe('bootTimeOf', () => {
  it('is now minus the uptime, plus how long after the kernel process 1 started (a container: its own start)', () => {
    expect(bootTimeOf(BOOTED + 7_200, 7_200, 0.25)).toBe(BOOTED + 0.25);
    expect(bootTimeOf(BOOTED + 7_200, 7_200, 3_600)).toBe(BOOTED + 3_600);
    expect(bootTimeOf(BOOTED + 7_200, 7_200, null)).toBe(BOOTED);
    // A start after the uptime: the uptime is the container's own (lxcfs), and already counts from its start.
    expect(bootTimeOf(BOOTED + 7_200, 7_200, 90_000)).toBe(BOOTED);
  });
});

describe('bootTimeFrom', () => {
  const clock = ok(`${BOOTED + 3_600}\n`);
  const uptime = ok('3600.50 7000.10\n');
  it('is the start of process 1, or the kernel boot when /proc/1/stat cannot be read', () => {
    expect(bootTimeFrom(clock, uptime, ok(stat(50)))).toEqual({ kind: 'known', seconds: BOOTED });
    expect(bootTimeFrom(clock, uptime, ok(stat(90_050)))).toEqual({ kind: 'known', seconds: BOOTED + 900 });
    expect(bootTimeFrom(clock, uptime, ok('', 1, 'cat: /proc/1/stat: Permission denied\n'))).toEqual({ kind: 'known', seconds: BOOTED - 0.5 });
  });

  it('tells a tree without procfs from a host that does not answer', () => {
    expect(bootTimeFrom(clock, ok('', 1, 'cat: /proc/uptime: No such file or directory\n'), ok('', 1))).toEqual({ kind: 'no-procfs' });
    const denied = ok('', 1, 'cat: /proc/uptime: Permission denied\n');
    expect(bootTimeFrom(clock, denied, ok(''))).toEqual({ kind: 'unreadable', record: denied, why: 'cannot read the uptime' });
    expect(bootTimeFrom(clock, ok('soon\n'), ok(''))).toMatchObject({ kind: 'unreadable', why: '"soon\\n" does not start with seconds since boot' });
    const noDate = ok('', 127, "env: 'date': No such file or directory\n");
    expect(bootTimeFrom(noDate, uptime, ok(''))).toEqual({ kind: 'unreadable', record: noDate, why: 'cannot read the clock (seconds since the epoch)' });
  });

  it('asks with commands that only read', () => {
    expect(BOOT_TIME_COMMANDS).toEqual({ clock: ['date', '+%s'], uptime: ['cat', '/proc/uptime'], processOne: ['cat', '/proc/1/stat'] });
  });
});
