/**
 * Whether a Debian or Ubuntu host waits for a reboot. The marker file /run/reboot-required is
 * created only by hooks that plain Debian does not install: Ubuntu's update-notifier (its
 * /etc/kernel/postinst.d hook, and packages that call notify-reboot-required) and
 * unattended-upgrades' kernel hook. Without them a kernel installed by a job leaves no trace, so
 * the marker's absence proves nothing. The rule here is the one `dnf needs-restarting -r` applies
 * on rpm systems (rpm-reboot-hint.ts): a reboot is pending when a package the running system
 * cannot swap without one was unpacked after the system started.
 *
 * **Which packages** (DPKG_REBOOT_PATTERNS), deliberately few: each is code that stays loaded
 * until a reboot, which is dnf's list in Debian's names.
 * - `linux-image-*`, `linux-signed-image-*`: the kernel (any flavour, signed or not, and the
 *   meta-packages that pull a new one in). Debug symbols (`-dbg`, `-dbgsym`) are left out: nothing
 *   runs them. Ubuntu's `linux-modules-*` are left out too: extra modules for the running kernel
 *   load without a reboot, and an upgraded kernel brings a new image, which counts.
 * - `libc6`: the C library every process has mapped (dnf: glibc).
 * - `systemd`: process 1 and the daemons of its package (dnf: systemd). Its postinst re-executes
 *   process 1, which is why needrestart restarts it instead; logind and the user managers keep
 *   the old code, so Patchwise counts it as dnf does.
 * - `dbus`, `dbus-daemon`, `dbus-broker`: the system bus, which cannot be restarted under the
 *   services connected to it (dnf: dbus, dbus-daemon, dbus-broker; needrestart never restarts it).
 * - `intel-microcode`, `amd64-microcode`: CPU microcode is loaded from the initramfs at boot
 *   (needrestart compares the running revision with the installed one for the same reason).
 * - `linux-firmware` (Ubuntu's one firmware package, dnf's linux-firmware).
 * Left out: `linux-base` (the scripts that maintain /vmlinuz links at kernel installs: nothing of
 * it runs afterwards), Debian's per-device `firmware-*` packages (the pattern also matches
 * packages that are not firmware the kernel loads, such as firmware for boards it flashes, and a
 * device's firmware reloads with its driver), `linux-headers-*` and other build inputs.
 *
 * **"Unpacked after boot"**: dpkg rewrites a package's file list (`/var/lib/dpkg/info/<pkg>.list`,
 * `<pkg>:<arch>.list` for Multi-Arch: same) at every unpack, install, upgrade, downgrade or
 * reinstall, and dpkg-query reports its modification time as `db-fsys:Last-Modified` (since
 * dpkg 1.19.3: Debian 10, Ubuntu 20.04). That is compared with the boot time (boot-time.ts: when
 * process 1 started, so a container counts from its own start). It catches
 * what comparing the running kernel (`uname -r`) with the newest installed image cannot:
 * - Debian keeps a kernel package's name when an upload does not change the ABI, so an in-place
 *   upgrade of the running kernel's own package gives no newer `uname -r` to compare with;
 * - libc6, systemd, D-Bus and microcode have no running version to compare;
 * and it never flags for good a host deliberately booted into an older kernel (a pinned GRUB
 * default), which under the `if-required` policy would reboot it after every job. It is cleared by
 * any reboot, as the marker is. Its over-approximations are dnf's too: an older kernel installed
 * beside the running one after boot counts, and so does a list dpkg rewrote because another
 * package took over some of its files.
 *
 * **Under `--root`** (a chroot or mounted image), `uname -r` and the boot time are the agent's
 * machine's, not the tree's. The tree's own /proc decides: with one (a container's, or the
 * machine's root mounted with its /proc), the rule applies with that procfs's process 1 as the
 * start of what runs there; without one nothing runs from the tree, so no process holds old code
 * and only the marker counts (what a package's postinst touches). Facts about a mounted root are
 * null anyway (collectFacts).
 */
import { PatchwiseError } from '@patchwise/core';
import type { CommandOutput } from './boot-time.js';
import type { RunCommand } from './run-command.js';

/** dpkg-query patterns (fnmatch, as `dpkg-query -W` takes them) of the packages whose unpack needs a reboot; see the module comment. */
export const DPKG_REBOOT_PATTERNS = [
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
] as const;

/** Name, dpkg state and the file list's modification time (seconds since the epoch; empty without a list). */
export const DPKG_UNPACK_TIME_FORMAT = '${Package}\\t${db:Status-Status}\\t${db-fsys:Last-Modified}\\n';

/** The whole command: the patterns are fixed here, never taken from input, and `--` ends the options. */
export const DPKG_UNPACK_TIME_QUERY: readonly string[] = ['dpkg-query', '-W', `-f=${DPKG_UNPACK_TIME_FORMAT}`, '--', ...DPKG_REBOOT_PATTERNS];

/** dpkg states in which a package has no file list. */
const LISTLESS_STATES = new Set(['not-installed', 'config-files']);

/** Whether `name` is one of DPKG_REBOOT_PATTERNS' packages (debug symbols of a kernel are not). */
export function isDpkgRebootPackage(name: string): boolean {
  if (/-dbg(?:sym)?$/.test(name)) return false;
  return DPKG_REBOOT_PATTERNS.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern));
}

export type DpkgRebootAnswer = { readonly ok: true; readonly packages: string[] } | { readonly ok: false; readonly why: string };

/**
 * The reboot packages whose file list changed after `bootTimeSeconds` (sorted, each once), from
 * DPKG_UNPACK_TIME_QUERY's result. dpkg-query exits 1 when a pattern matches no package (no
 * `linux-signed-image-*` on most hosts) and prints the others; any other status is a failure.
 * A package with a file list but no time means a dpkg older than 1.19.3, which cannot tell:
 * the answer is then unknown, never "none".
 */
export function dpkgRebootPackagesSince(result: CommandOutput, bootTimeSeconds: number): DpkgRebootAnswer {
  if (result.exitCode !== 0 && result.exitCode !== 1) return { ok: false, why: 'could not list the reboot packages' };
  const names = new Set<string>();
  for (const line of result.stdout.split('\n')) {
    const [name, status, modified] = line.split('\t');
    if (!name || status === undefined || modified === undefined || LISTLESS_STATES.has(status) || !isDpkgRebootPackage(name)) continue;
    const seconds = modified.trim();
    if (!/^\d+$/.test(seconds)) {
      return { ok: false, why: `printed no db-fsys:Last-Modified for ${name} (dpkg before 1.19.3 has none): which packages changed since boot is unknown` };
    }
    if (Number(seconds) > bootTimeSeconds) names.add(name);
  }
  return { ok: true, packages: [...names].sort() };
}

/** How the agent runs dpkg-query on its own machine. */
export interface DpkgQueryOptions {
  readonly run: RunCommand;
  readonly timeoutMs: number;
  readonly maxBuffer: number;
}

/**
 * The reboot packages unpacked after `bootTimeSeconds` on the machine the agent runs on (facts of
 * the root `/`). Throws PW_INPUT_UNREADABLE when dpkg-query is missing, fails or cannot tell.
 */
export async function dpkgPackagesAwaitingReboot(options: DpkgQueryOptions, bootTimeSeconds: number): Promise<string[]> {
  const [program, ...args] = DPKG_UNPACK_TIME_QUERY as [string, ...string[]];
  let result: CommandOutput;
  try {
    result = { exitCode: 0, ...(await options.run(program, args, { timeoutMs: options.timeoutMs, maxBuffer: options.maxBuffer })) };
  } catch (err) {
    // execFile rejects on any non-zero exit; 1 (a pattern matched nothing) still carries the output.
    const e = err as { code?: unknown; stdout?: unknown; stderr?: unknown; message?: unknown };
    if (typeof e.code !== 'number') throw new PatchwiseError('PW_INPUT_UNREADABLE', `dpkg-query did not run (${String(e.message)})`, { input: 'dpkg-query', cause: err });
    result = { exitCode: e.code, stdout: typeof e.stdout === 'string' ? e.stdout : '', stderr: typeof e.stderr === 'string' ? e.stderr : '' };
  }
  const answer = dpkgRebootPackagesSince(result, bootTimeSeconds);
  if (!answer.ok) throw new PatchwiseError('PW_INPUT_UNREADABLE', `${answer.why}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').slice(-2).join(' ')}` : ''}`, { input: 'dpkg-query' });
  return answer.packages;
}

/** os-release IDs of the families that install with dpkg. */
const DPKG_FAMILIES = new Set(['debian', 'ubuntu']);

/** Whether an os-release ID (or one it is like) is a dpkg family. */
export function isDpkgFamily(os: { readonly id: string; readonly idLike: readonly string[] } | null): boolean {
  return os !== null && [os.id, ...os.idLike].some((id) => DPKG_FAMILIES.has(id));
}
