/**
 * Fedora, RHEL 8+ and their rebuilds (AlmaLinux, Rocky): dnf installs exact NEVRs, rpm reports
 * what is installed, `needs-restarting -r` (dnf-utils) says whether a reboot is needed.
 *
 * One `dnf install` serves upgrades and downgrades alike: dnf's documentation (dnf 4 and dnf5,
 * install command) says that when the spec names an exact version, "DNF will install the desired
 * version, no matter which version of the package is already installed", replacing the former one
 * (for packages that are not install-only). So a job and its rollback are each one transaction.
 * `--allowerasing` is deliberately not used: it lets dnf remove other packages to resolve a
 * conflict, and a patch must fail (and roll back) rather than silently uninstall software.
 */
import type { CommandRecord, PackageVersion } from '@patchwise/core';
import { CommandFailedError } from './command-failed-error.js';
import type { CommandRunner } from './command-runner.js';
import type { PackageDriver } from './package-driver.js';
import { RPM_RULES, nevr, queryRpmVersions, sameRpmVersion } from './rpm-query.js';
import { validateTargets } from './validate-targets.js';

export const RPM_INSTALL_TIMEOUT_MS = 30 * 60_000;

export class DnfDriver implements PackageDriver {
  readonly kind: 'dnf' | 'yum' = 'dnf';

  constructor(protected readonly runner: CommandRunner) {}

  withRunner(runner: CommandRunner): PackageDriver {
    return new DnfDriver(runner);
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
    return this.applyExact('install', targets);
  }

  async restore(previous: readonly PackageVersion[]): Promise<CommandRecord[]> {
    this.validate(previous);
    const records = await this.applyExact(
      'restore',
      previous.filter((p) => p.version !== null),
    );
    const absent = previous.filter((p) => p.version === null).map((p) => p.name);
    const present = (await queryRpmVersions(this.runner, absent)).filter((p) => p.version !== null).map((p) => p.name);
    if (present.length > 0) records.push(await this.mustSucceed('restore', [this.kind, 'remove', '-y', ...present]));
    return records;
  }

  /** `needs-restarting -r`: exit 1 means a reboot is needed, 0 that it is not. */
  async rebootRequired(): Promise<boolean> {
    const record = await this.runner.run('reboot-check', ['needs-restarting', '-r'], { timeoutMs: 120_000 });
    if (record.exitCode === 1) return true;
    if (record.exitCode === 0) return false;
    throw new CommandFailedError(record, `${describe(record)} (needs-restarting comes with dnf-utils / yum-utils)`);
  }

  /** Installs exactly `targets` (all with versions): dnf does it in one transaction whatever the direction. */
  protected async applyExact(step: string, targets: readonly PackageVersion[]): Promise<CommandRecord[]> {
    if (targets.length === 0) return [];
    return [await this.mustSucceed(step, ['dnf', 'install', '-y', ...targets.map(nevr)])];
  }

  protected async mustSucceed(step: string, argv: readonly string[]): Promise<CommandRecord> {
    const record = await this.runner.run(step, argv, { timeoutMs: RPM_INSTALL_TIMEOUT_MS });
    if (record.exitCode !== 0) throw new CommandFailedError(record);
    return record;
  }
}

function describe(record: CommandRecord): string {
  return record.exitCode === null ? 'could not start' : `exit ${record.exitCode}`;
}
