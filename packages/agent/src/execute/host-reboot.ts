/**
 * How an executor reboots its host and tells one boot from the next. The boot id
 * (`/proc/sys/kernel/random/boot_id`, a fresh random UUID at every boot) is read through the
 * job's runner, so the same code serves a local host, a chroot whose tree has its own /proc (a
 * container's), and a host over SSH. A job that reboots its host stays in flight on the server
 * until its executor reports a boot id other than the one recorded when it asked for the reboot.
 */
import { PatchwiseError } from '@patchwise/core';
import type { CommandRunner } from './command-runner.js';

export interface HostReboot {
  /** The host's current boot id; null when it has none to read (a chroot without /proc). */
  bootId(): Promise<string | null>;
  /** Asks the host to reboot; returns once asked (the reboot itself comes later). */
  request(): Promise<void>;
}

export const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';
/** Left in a managed tree (`--root`) instead of rebooting the machine the agent runs on. */
export const REBOOT_MARKER_FILE = '/run/patchwise-reboot-requested';

/**
 * `machine`: the runner's host is a machine to reboot (`shutdown -r +1`: a minute lets the report
 * reach the server first). `marker`: it is a tree the agent manages, which whoever runs it
 * restarts; the request is left as REBOOT_MARKER_FILE in it.
 */
export function runnerReboot(runner: CommandRunner, kind: 'machine' | 'marker'): HostReboot {
  return {
    async bootId() {
      const r = await runner.run('reboot', ['cat', BOOT_ID_FILE]);
      const id = r.stdout.trim();
      return r.exitCode === 0 && id !== '' ? id : null;
    },
    async request() {
      const argv = kind === 'machine' ? ['shutdown', '-r', '+1', 'Patchwise: reboot after patching'] : ['touch', REBOOT_MARKER_FILE];
      const r = await runner.run('reboot', argv);
      if (r.exitCode !== 0) throw new PatchwiseError('PW_INTERNAL', `reboot request failed: ${argv.join(' ')} exited ${r.exitCode ?? r.signal ?? 'abnormally'}: ${r.stderr.trim()}`);
    },
  };
}
