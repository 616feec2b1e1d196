/**
 * Whether an rpm-based host waits for a reboot. Red Hat family systems keep no marker file as
 * Debian's /run/reboot-required; `dnf needs-restarting -r` (dnf-plugins-core) decides it instead:
 * a reboot is needed when a package of a short list (the kernel, the C library, firmware, systemd,
 * the D-Bus daemon: the parts a running system cannot swap without one, as Red Hat's knowledge base
 * article 27943 lists them), or one named in `/etc/dnf/plugins/needs-restarting.d/*.conf`, was
 * installed after the system booted. The agent asks rpm for those packages' install times and
 * applies the same rule, without dnf (slow to start, and absent on yum and tdnf systems).
 */
import type { RootedFs } from './rooted-fs.js';
import { runRpmQuery, withRootRpmDb, type RpmOptions } from './rpm-packages.js';

/** What reading the configuration needs: RootedFs here, or the agentless reader over SSH. */
export interface ConfReader {
  resolve(rel: string): Promise<{ rootPath: string } | undefined>;
  listDir(rel: string): Promise<readonly { name: string }[] | undefined>;
  readText(rel: string, maxBytes: number): Promise<string | undefined>;
}

/** The packages whose update needs a reboot, as `dnf needs-restarting -r` lists them. */
export const RPM_REBOOT_PACKAGES = ['kernel', 'kernel-core', 'kernel-rt', 'glibc', 'linux-firmware', 'systemd', 'dbus', 'dbus-broker', 'dbus-daemon'] as const;

/** Where administrators add package names to that list (one per line, in `*.conf` files). */
export const NEEDS_RESTARTING_CONF_DIR = '/etc/dnf/plugins/needs-restarting.d';

/** `rpm -qa` with names lists every installed package of those names (each version), exiting 0 when none is. */
export const RPM_INSTALL_TIME_FORMAT = '%{NAME}\\t%{INSTALLTIME}\\n';

/** A package name as rpm allows it; anything else in a configuration file is ignored, not passed on. */
const RPM_NAME = /^[A-Za-z0-9_+.-][A-Za-z0-9_+.~^-]*$/;
/** A configuration file is a few names; a bigger one is not what it claims to be. */
const MAX_CONF_BYTES = 64 * 1024;

/** The arguments (after the database's) listing the install times of every installed package of `names`. */
export function rpmInstallTimeArgs(names: readonly string[]): string[] {
  return ['-qa', '--qf', RPM_INSTALL_TIME_FORMAT, ...names];
}

/**
 * The names among `rpm -qa --qf RPM_INSTALL_TIME_FORMAT` output whose install time (seconds since
 * the epoch) is after `bootTimeSeconds`, sorted, each once. Lines that are not `name<TAB>digits`
 * are ignored: rpm prints nothing else for this format.
 */
export function updatedSinceBoot(output: string, bootTimeSeconds: number): string[] {
  const names = new Set<string>();
  for (const line of output.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const installed = line.slice(tab + 1).trim();
    if (/^\d+$/.test(installed) && Number(installed) > bootTimeSeconds) names.add(line.slice(0, tab));
  }
  return [...names].sort();
}

/**
 * RPM_REBOOT_PACKAGES and the names of `NEEDS_RESTARTING_CONF_DIR/*.conf` under the root (one per
 * line; blank lines and names rpm would not accept left out), each once.
 */
export async function rebootPackageNames(fs: ConfReader): Promise<string[]> {
  const names = new Set<string>(RPM_REBOOT_PACKAGES);
  const dir = await fs.resolve(NEEDS_RESTARTING_CONF_DIR);
  if (!dir) return [...names];
  for (const entry of (await fs.listDir(dir.rootPath)) ?? []) {
    if (!entry.name.endsWith('.conf')) continue;
    const text = await fs.readText(`${dir.rootPath}/${entry.name}`, MAX_CONF_BYTES);
    for (const line of (text ?? '').split('\n')) {
      const name = line.trim();
      if (RPM_NAME.test(name)) names.add(name);
    }
  }
  return [...names];
}

/**
 * Whether the root's rpm database has a package of RPM_REBOOT_PACKAGES (or a configured one)
 * installed after `bootTimeSeconds`: the packages that are, or null when the root has no rpm
 * database or no rpm program to read it. Throws as runRpmQuery does when rpm fails.
 */
export async function rpmPackagesAwaitingReboot(fs: RootedFs, options: RpmOptions, bootTimeSeconds: number): Promise<string[] | null> {
  const names = await rebootPackageNames(fs);
  const result = await withRootRpmDb(fs, async (dbArgs, found) => {
    const out = await runRpmQuery(options, [...dbArgs, ...rpmInstallTimeArgs(names)], `rpm database ${fs.display(found.dbPath)}`);
    return out === undefined ? null : updatedSinceBoot(out.stdout, bootTimeSeconds);
  });
  return result ?? null;
}
