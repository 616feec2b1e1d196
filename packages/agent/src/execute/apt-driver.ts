/**
 * Debian and Ubuntu: apt-get installs exact versions from the configured repositories (after
 * `apt-get update`), dpkg-query reads what dpkg has installed. A reboot is pending when
 * /var/run/reboot-required exists (Ubuntu's update-notifier and unattended-upgrades' hooks create
 * it) or when a kernel, libc6, systemd, D-Bus or microcode package was unpacked since the system
 * started (dpkg-reboot-hint.ts: plain Debian has nothing that creates the marker).
 */
import { PatchwiseError, dpkgScheme, type CommandRecord, type PackageVersion } from '@patchwise/core';
import { BOOT_TIME_COMMANDS, DPKG_UNPACK_TIME_QUERY, bootTimeFrom, dpkgRebootPackagesSince } from '../collect/index.js';
import { CommandFailedError } from './command-failed-error.js';
import type { CommandRunner } from './command-runner.js';
import type { PackageDriver } from './package-driver.js';
import { DPKG_NAME, validateTargets, type EcosystemRules } from './validate-targets.js';

const RULES: EcosystemRules = {
  what: 'Debian package',
  name: DPKG_NAME,
  nameRule: 'lower-case letters, digits, + - . and at least two characters, starting with a letter or digit',
  scheme: dpkgScheme,
};

/** Maintainer scripts must never wait for an answer: there is nobody to give one. */
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', DEBCONF_NONINTERACTIVE_SEEN: 'true' };
/**
 * `--allow-downgrades`: a rollback installs a lower version, and a patch set may pin one.
 * confdef/confold: a changed configuration file keeps the administrator's version without asking.
 */
const APT_INSTALL = ['apt-get', 'install', '-y', '--allow-downgrades', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
const INSTALL_TIMEOUT_MS = 30 * 60_000;
const QUERY_TIMEOUT_MS = 60_000;
/** dpkg states in which a package has no files on disk, or only its configuration files. */
const ABSENT_STATES = new Set(['not-installed', 'config-files']);

interface DpkgState {
  readonly status: string;
  readonly version: string;
}

export class AptDriver implements PackageDriver {
  readonly kind = 'apt' as const;

  constructor(private readonly runner: CommandRunner) {}

  withRunner(runner: CommandRunner): AptDriver {
    return new AptDriver(runner);
  }

  validate(targets: readonly PackageVersion[]): void {
    validateTargets(targets, RULES);
  }

  sameVersion(a: string, b: string): boolean {
    return dpkgScheme.compare(dpkgScheme.parse(a), dpkgScheme.parse(b)) === 0;
  }

  async queryVersions(names: readonly string[]): Promise<PackageVersion[]> {
    const states = await this.#states(names);
    // Only `installed` counts: a half-configured package (a postinst that failed) is not the version it names.
    return names.map((name) => {
      const state = states.get(name);
      return { name, version: state?.status === 'installed' ? state.version : null };
    });
  }

  async install(targets: readonly PackageVersion[]): Promise<CommandRecord[]> {
    this.validate(targets);
    const specs = targets.map((t) => {
      if (t.version === null) throw new PatchwiseError('PW_INPUT_INVALID', 'an install needs a version (null means absent)', { input: JSON.stringify(t.name) });
      return `${t.name}=${t.version}`;
    });
    if (specs.length === 0) return [];
    // The package lists first: apt installs only versions its lists name, and lists older than
    // the fix (no update since it was published) would answer "Version … was not found". Best
    // effort: with one repository down the lists of the others still refresh, and the install
    // decides. A restore does not refresh, so a repository that is down cannot block a rollback.
    const update = await this.runner.run('install', ['apt-get', 'update'], { env: APT_ENV, timeoutMs: INSTALL_TIMEOUT_MS });
    const record = await this.runner.run('install', [...APT_INSTALL, ...specs], { env: APT_ENV, timeoutMs: INSTALL_TIMEOUT_MS });
    if (record.exitCode !== 0) throw new CommandFailedError(record);
    return [update, record];
  }

  /**
   * Exact versions back with `apt-get install --allow-downgrades`, which also replaces a package
   * a failed postinst left half-configured (verified with real dpkg in the end-to-end tests).
   * When dpkg itself was interrupted (killed mid-transaction: a crash, a timeout), apt-get
   * refuses to start until `dpkg --configure -a` has run; so after a failed first attempt that
   * runs (its own failure, say the same broken postinst failing again, does not matter) and the
   * install is tried once more. Packages that were absent are then removed with `apt-get remove`.
   */
  async restore(previous: readonly PackageVersion[]): Promise<CommandRecord[]> {
    this.validate(previous);
    const records: CommandRecord[] = [];
    const reinstall = previous.filter((p) => p.version !== null).map((p) => `${p.name}=${p.version}`);
    if (reinstall.length > 0) {
      const argv = [...APT_INSTALL, ...reinstall];
      let record = await this.runner.run('restore', argv, { env: APT_ENV, timeoutMs: INSTALL_TIMEOUT_MS });
      records.push(record);
      if (record.exitCode !== 0) {
        records.push(await this.runner.run('restore', ['dpkg', '--configure', '-a'], { env: APT_ENV, timeoutMs: INSTALL_TIMEOUT_MS }));
        record = await this.runner.run('restore', argv, { env: APT_ENV, timeoutMs: INSTALL_TIMEOUT_MS });
        records.push(record);
        if (record.exitCode !== 0) throw new CommandFailedError(record);
      }
    }
    const absent = previous.filter((p) => p.version === null).map((p) => p.name);
    if (absent.length > 0) {
      // Only what dpkg knows in some state: apt-get refuses (exit 100) to remove a name no
      // repository and no dpkg database entry knows, which is what an install that failed to
      // download leaves.
      const states = await this.#states(absent);
      const present = absent.filter((name) => {
        const status = states.get(name)?.status;
        return status !== undefined && !ABSENT_STATES.has(status);
      });
      if (present.length > 0) {
        const record = await this.runner.run('restore', ['apt-get', 'remove', '-y', ...present], { env: APT_ENV, timeoutMs: INSTALL_TIMEOUT_MS });
        records.push(record);
        if (record.exitCode !== 0) throw new CommandFailedError(record);
      }
    }
    return records;
  }

  /**
   * The marker, else the reboot packages unpacked since the system started (dpkg-reboot-hint.ts),
   * every read through the runner, so it looks in the chroot or on the SSH host, on its clock and
   * its /proc. A tree without /proc (a chroot, a mounted image) runs nothing that could hold old
   * code, so there the marker alone decides.
   */
  async rebootRequired(): Promise<boolean> {
    const record = await this.runner.run('reboot-check', ['test', '-e', '/var/run/reboot-required'], { timeoutMs: QUERY_TIMEOUT_MS });
    if (record.exitCode === 0) return true;
    if (record.exitCode !== 1) throw new CommandFailedError(record);
    const read = (argv: readonly string[]) => this.runner.run('reboot-check', argv, { timeoutMs: QUERY_TIMEOUT_MS });
    const [clock, uptime, processOne] = [await read(BOOT_TIME_COMMANDS.clock), await read(BOOT_TIME_COMMANDS.uptime), await read(BOOT_TIME_COMMANDS.processOne)];
    const booted = bootTimeFrom(clock, uptime, processOne);
    if (booted.kind === 'no-procfs') return false;
    if (booted.kind === 'unreadable') throw new CommandFailedError(booted.record, booted.why);
    const listed = await read(DPKG_UNPACK_TIME_QUERY);
    const answer = dpkgRebootPackagesSince(listed, booted.seconds);
    if (!answer.ok) throw new CommandFailedError(listed, answer.why);
    return answer.packages.length > 0;
  }

  /** dpkg's state and version of each name it knows (in any state); names it does not know are missing. */
  async #states(names: readonly string[]): Promise<Map<string, DpkgState>> {
    this.validate(names.map((name) => ({ name, version: null })));
    const states = new Map<string, DpkgState>();
    if (names.length === 0) return states;
    const record = await this.runner.run('query', ['dpkg-query', '-W', '-f=${Package}\\t${db:Status-Status}\\t${Version}\\n', '--', ...names], {
      timeoutMs: QUERY_TIMEOUT_MS,
    });
    // Exit 1: some name is unknown to dpkg ("no packages found matching"); the others are printed.
    if (record.exitCode !== 0 && record.exitCode !== 1) throw new CommandFailedError(record);
    for (const line of record.stdout.split('\n')) {
      const [name, status, version] = line.split('\t');
      if (!name || !status || version === undefined) continue;
      // Multi-Arch: same packages print one line per architecture; an installed one wins.
      if (states.get(name)?.status !== 'installed') states.set(name, { status, version });
    }
    return states;
  }
}
