/**
 * RHEL and CentOS 7 (yum 3). Unlike dnf, yum 3's `install` will not replace an installed package
 * with a lower version ("Package … already installed and latest version"), so a lower target
 * goes through `yum downgrade` and the others through `yum install`: two transactions when a
 * job mixes directions (rollback covers a failure between them). On RHEL 8+ `yum` is dnf, and
 * both commands keep their meaning there.
 *
 * yum 3 has no `--refresh`: an install job first runs `yum clean expire-cache`, which makes the
 * next command re-read the repositories' metadata (dnf knows it too). The reboot check is
 * yum-utils' `needs-restarting -r` (on RHEL 8+ a wrapper of `dnf needs-restarting`).
 */
import { rpmScheme, type CommandRecord, type PackageVersion } from '@patchwise/core';
import type { CommandRunner } from './command-runner.js';
import { DnfDriver } from './dnf-driver.js';
import type { PackageDriver } from './package-driver.js';
import { nevr, queryRpmVersions } from './rpm-query.js';

export class YumDriver extends DnfDriver {
  override readonly kind = 'yum' as const;

  override withRunner(runner: CommandRunner): PackageDriver {
    return new YumDriver(runner);
  }

  protected override rebootCheckArgv(): readonly string[] {
    return ['needs-restarting', '-r'];
  }

  protected override rebootCheckPackage(): string {
    return 'yum-utils';
  }

  protected override async applyExact(step: string, targets: readonly PackageVersion[]): Promise<CommandRecord[]> {
    if (targets.length === 0) return [];
    const records: CommandRecord[] = [];
    if (step === 'install') records.push(await this.mustSucceed(step, ['yum', 'clean', 'expire-cache']));
    const installed = await queryRpmVersions(
      this.runner,
      targets.map((t) => t.name),
    );
    const lower: PackageVersion[] = [];
    const other: PackageVersion[] = [];
    targets.forEach((target, i) => {
      const current = installed[i]?.version ?? null;
      const isLower = current !== null && target.version !== null && rpmScheme.compare(rpmScheme.parse(target.version), rpmScheme.parse(current)) < 0;
      (isLower ? lower : other).push(target);
    });
    if (lower.length > 0) records.push(await this.mustSucceed(step, ['yum', 'downgrade', '-y', ...lower.map(nevr)]));
    if (other.length > 0) records.push(await this.mustSucceed(step, ['yum', 'install', '-y', ...other.map(nevr)]));
    return records;
  }
}
