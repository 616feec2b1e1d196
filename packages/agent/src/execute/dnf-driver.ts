/**
 * Fedora, RHEL 8+ and their rebuilds (AlmaLinux, Rocky): dnf installs exact NEVRs, rpm reports
 * what is installed, `dnf needs-restarting -r` (dnf-plugins-core) says whether a reboot is needed.
 *
 * One `dnf install` serves upgrades and downgrades alike: dnf's documentation (dnf 4 and dnf5,
 * install command) says that when the spec names an exact version, "DNF will install the desired
 * version, no matter which version of the package is already installed", replacing the former one
 * (for packages that are not install-only). So a job and its rollback are each one transaction.
 * `--allowerasing` is deliberately not used: it lets dnf remove other packages to resolve a
 * conflict, and a patch must fail (and roll back) rather than silently uninstall software.
 *
 * Found with real dnf 4.14 (test/e2e/rpm-drivers-real.test.ts):
 * - A %post that fails leaves the new version installed and the old one erased, and dnf still
 *   exits 0 ("Complete!"); only its output says so. Such a transaction is a failure here, so the
 *   job rolls back (a downgrade to the recorded NEVR, which runs no scriptlet of the broken one's
 *   %post again).
 * - dnf installs from its cached metadata until that expires (metadata_expire, hours to days): a
 *   fix published since then is "No match for argument". An install job therefore asks for
 *   `--refresh`; a restore does not, so a repository that is down cannot block a rollback to
 *   versions dnf already knows.
 */
import type { CommandRecord, PackageVersion } from '@patchwise/core';
import { CommandFailedError, describeExit } from './command-failed-error.js';
import type { CommandRunner } from './command-runner.js';
import type { PackageDriver } from './package-driver.js';
import { RPM_RULES, nevr, queryRpmVersions, sameRpmVersion } from './rpm-query.js';
import { rpmScriptletFailures } from './rpm-scriptlet-failures.js';
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

  /**
   * `needs-restarting -r`: exit 0 means no reboot; exit 1 with "Reboot is required" means one is
   * needed. Exit 1 is also dnf's status for any error (in a tree without /proc it cannot read the
   * boot time), so exit 1 without that sentence is an error, not a reboot.
   */
  async rebootRequired(): Promise<boolean> {
    const record = await this.runner.run('reboot-check', this.rebootCheckArgv(), { timeoutMs: 120_000 });
    if (record.exitCode === 0) return false;
    if (record.exitCode === 1 && /Reboot is required/.test(record.stdout)) return true;
    throw new CommandFailedError(record, `${describeExit(record)} (${this.rebootCheckArgv().join(' ')} comes with ${this.rebootCheckPackage()})`);
  }

  protected rebootCheckArgv(): readonly string[] {
    return ['dnf', 'needs-restarting', '-r'];
  }

  protected rebootCheckPackage(): string {
    return 'dnf-plugins-core';
  }

  /** Installs exactly `targets` (all with versions): dnf does it in one transaction whatever the direction. */
  protected async applyExact(step: string, targets: readonly PackageVersion[]): Promise<CommandRecord[]> {
    if (targets.length === 0) return [];
    const refresh = step === 'install' ? ['--refresh'] : [];
    return [await this.mustSucceed(step, ['dnf', 'install', '-y', ...refresh, ...targets.map(nevr)])];
  }

  /** A non-zero exit, or exit 0 with a failed scriptlet (see the file's comment), throws CommandFailedError. */
  protected async mustSucceed(step: string, argv: readonly string[]): Promise<CommandRecord> {
    const record = await this.runner.run(step, argv, { timeoutMs: RPM_INSTALL_TIMEOUT_MS });
    if (record.exitCode !== 0) throw new CommandFailedError(record);
    const scriptlets = rpmScriptletFailures(record);
    if (scriptlets.length > 0) throw new CommandFailedError(record, `exit 0, but a package scriptlet failed: ${scriptlets.join('; ')}`);
    return record;
  }
}
