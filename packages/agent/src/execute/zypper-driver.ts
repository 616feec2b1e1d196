/**
 * SUSE and openSUSE: zypper installs exact editions (`name=[epoch:]version-release`), with
 * `--oldpackage` so that a lower one (a rollback) is accepted; rpm reports what is installed.
 *
 * zypper's exit codes (zypper(8), EXIT CODES): 0 ok; 102 ZYPPER_EXIT_INF_REBOOT_NEEDED and 103
 * ZYPPER_EXIT_INF_RESTART_NEEDED are successful commits that ask for a reboot or for zypper to be
 * run again; everything else is a failure, including 107 ZYPPER_EXIT_INF_RPM_SCRIPT_FAILED (the
 * packages are in, but a scriptlet failed: the same half-done state as a failed dpkg postinst).
 * Real zypper 1.14 does exit 107 for a failing %post, with the new version installed and the old
 * one erased (test/e2e/rpm-drivers-real.test.ts); the rollback's `install --oldpackage` brings
 * the recorded edition back.
 *
 * Before an install job, `zypper refresh`: zypper re-reads a repository's metadata on its own only
 * when the repository has autorefresh on (`zypper addrepo` leaves it off unless given --refresh)
 * and, for remote ones, not within zypp.conf's repo.refresh.delay; otherwise a fix published
 * since the last refresh is "No provider of 'name=version' found" (exit 104). The refresh is best effort (its record is
 * kept): when a repository cannot be reached, the install decides, as it would have without it.
 * A restore does not refresh, so an unreachable repository cannot block a rollback.
 */
import type { CommandRecord, PackageVersion } from '@patchwise/core';
import { CommandFailedError } from './command-failed-error.js';
import type { CommandRunner } from './command-runner.js';
import type { PackageDriver } from './package-driver.js';
import { RPM_RULES, queryRpmVersions, sameRpmVersion } from './rpm-query.js';
import { validateTargets } from './validate-targets.js';

const ZYPPER = ['zypper', '--non-interactive'];
const COMMITTED = new Set([0, 102, 103]);
const REBOOT_NEEDED = 102;
const TIMEOUT_MS = 30 * 60_000;

export class ZypperDriver implements PackageDriver {
  readonly kind = 'zypper' as const;

  constructor(private readonly runner: CommandRunner) {}

  withRunner(runner: CommandRunner): ZypperDriver {
    return new ZypperDriver(runner);
  }

  validate(targets: readonly PackageVersion[]): void {
    validateTargets(targets, RPM_RULES);
  }

  sameVersion(a: string, b: string): boolean {
    return sameRpmVersion(a, b);
  }

  async queryVersions(names: readonly string[]): Promise<PackageVersion[]> {
    this.validate(names.map((name) => ({ name, version: null })));
    return queryRpmVersions(this.runner, names);
  }

  async install(targets: readonly PackageVersion[]): Promise<CommandRecord[]> {
    this.validate(targets);
    if (targets.length === 0) return [];
    const refresh = await this.runner.run('install', [...ZYPPER, 'refresh'], { timeoutMs: TIMEOUT_MS });
    return [refresh, ...(await this.#installExact('install', targets))];
  }

  async restore(previous: readonly PackageVersion[]): Promise<CommandRecord[]> {
    this.validate(previous);
    const records = await this.#installExact(
      'restore',
      previous.filter((p) => p.version !== null),
    );
    const absent = previous.filter((p) => p.version === null).map((p) => p.name);
    const present = (await queryRpmVersions(this.runner, absent)).filter((p) => p.version !== null).map((p) => p.name);
    if (present.length > 0) records.push(await this.#commit('restore', [...ZYPPER, 'remove', ...present]));
    return records;
  }

  /**
   * `zypper needs-rebooting` (exit 102: needed, 0: not). zypper older than 1.14.? does not know the
   * command; then /run/reboot-needed, the flag libzypp and zypp-boot-plugin write, decides.
   */
  async rebootRequired(): Promise<boolean> {
    const record = await this.runner.run('reboot-check', [...ZYPPER, 'needs-rebooting'], { timeoutMs: 120_000 });
    if (record.exitCode === REBOOT_NEEDED) return true;
    if (record.exitCode === 0) return false;
    const flag = await this.runner.run('reboot-check', ['test', '-e', '/run/reboot-needed'], { timeoutMs: 60_000 });
    if (flag.exitCode === 0) return true;
    if (flag.exitCode === 1) return false;
    throw new CommandFailedError(flag);
  }

  async #installExact(step: string, targets: readonly PackageVersion[]): Promise<CommandRecord[]> {
    if (targets.length === 0) return [];
    return [await this.#commit(step, [...ZYPPER, 'install', '--oldpackage', ...targets.map((t) => `${t.name}=${t.version ?? ''}`)])];
  }

  async #commit(step: string, argv: readonly string[]): Promise<CommandRecord> {
    const record = await this.runner.run(step, argv, { timeoutMs: TIMEOUT_MS });
    if (record.exitCode === null || !COMMITTED.has(record.exitCode)) throw new CommandFailedError(record);
    return record;
  }
}
