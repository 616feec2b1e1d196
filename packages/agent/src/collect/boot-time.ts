/**
 * When the running system started, which the reboot hints compare install times with (rpm's
 * INSTALLTIME, dpkg's file lists): the start of process 1, in seconds since the epoch on the
 * host's own clock. In a container the kernel booted long before, but the system there started
 * with its process 1, after the image's packages were installed; `dnf needs-restarting` takes the
 * later of the two for the same reason.
 *
 * Process 1's start is read from /proc/1/stat (its 22nd field: clock ticks after the kernel
 * booted), not from the modification time of /proc/1 as dnf reads it: procfs gives an inode the
 * time it was looked up into the inode cache, so /proc/1's time is "now" in a freshly mounted
 * procfs (seen in the end-to-end chroots) and moves forward whenever the cache drops it, which
 * would hide packages installed between the boot and then. Both numbers are relative to the
 * uptime, so a clock that was wrong at boot and set later (no RTC) does not matter either.
 */

/**
 * USER_HZ, the unit of /proc's clock ticks: 100 on every architecture distributions ship today
 * (sysconf(_SC_CLK_TCK); only long-gone alpha and ia64 used 1024).
 */
export const USER_HZ = 100;

/**
 * The boot time given the clock, the uptime (/proc/uptime's first number) and how long after the
 * kernel's boot process 1 started (processOneAfterBoot; null when unknown: the kernel's boot). A
 * start later than the uptime cannot be (an uptime virtualised by lxcfs counts from the
 * container's start already), so it is ignored.
 */
export function bootTimeOf(nowSeconds: number, uptimeSeconds: number, processOneAfterBoot: number | null): number {
  const byUptime = nowSeconds - uptimeSeconds;
  return processOneAfterBoot === null || processOneAfterBoot > uptimeSeconds ? byUptime : byUptime + processOneAfterBoot;
}

/**
 * Seconds after the kernel's boot at which the process of a /proc/PID/stat text started (field
 * 22, starttime), or null when the text is not one. The name (field 2) is in parentheses and may
 * hold blanks and parentheses itself, so fields are counted after the last `)`.
 */
export function startAfterBootOf(statText: string): number | null {
  const close = statText.lastIndexOf(')');
  if (close < 0) return null;
  // After the name come field 3 (state) onwards: starttime, field 22, is the 20th of them.
  const ticks = statText.slice(close + 1).trim().split(/\s+/)[19];
  return ticks !== undefined && /^\d+$/.test(ticks) ? Number(ticks) / USER_HZ : null;
}

/** The first number of /proc/uptime's text (seconds since boot), or null. */
export function uptimeSecondsOf(text: string): number | null {
  const up = Number(/^\s*(\d+(?:\.\d+)?)\s/.exec(text)?.[1] ?? NaN);
  return Number.isFinite(up) ? up : null;
}

/** What a command printed and how it ended: a runner's record, or the local run's result. */
export interface CommandOutput {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The commands that tell, through a runner, when the system there started (bootTimeFrom reads their output). */
export const BOOT_TIME_COMMANDS = {
  clock: ['date', '+%s'],
  uptime: ['cat', '/proc/uptime'],
  processOne: ['cat', '/proc/1/stat'],
} as const satisfies Record<string, readonly string[]>;

export type BootTime<R extends CommandOutput> =
  | { readonly kind: 'known'; readonly seconds: number }
  /** /proc/uptime does not exist: a tree without procfs, from which nothing runs. */
  | { readonly kind: 'no-procfs' }
  | { readonly kind: 'unreadable'; readonly record: R; readonly why: string };

/**
 * The boot time (bootTimeOf) from BOOT_TIME_COMMANDS' results, on the host's own clock, as the
 * file times it is compared with are. Process 1's start only refines it: without it the uptime
 * decides.
 */
export function bootTimeFrom<R extends CommandOutput>(clock: R, uptime: R, processOne: R): BootTime<R> {
  if (uptime.exitCode !== 0) {
    return /No such file or directory/.test(uptime.stderr) ? { kind: 'no-procfs' } : { kind: 'unreadable', record: uptime, why: 'cannot read the uptime' };
  }
  const up = uptimeSecondsOf(uptime.stdout);
  if (up === null) return { kind: 'unreadable', record: uptime, why: `${JSON.stringify(uptime.stdout.slice(0, 80))} does not start with seconds since boot` };
  const now = clock.exitCode === 0 && /^\d+$/.test(clock.stdout.trim()) ? Number(clock.stdout.trim()) : null;
  if (now === null) return { kind: 'unreadable', record: clock, why: 'cannot read the clock (seconds since the epoch)' };
  return { kind: 'known', seconds: bootTimeOf(now, up, processOne.exitCode === 0 ? startAfterBootOf(processOne.stdout) : null) };
}
