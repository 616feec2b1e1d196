import { assertNever, type PackageManagerKind } from '@patchwise/core';
import { ApkDriver } from './apk-driver.js';
import { AptDriver } from './apt-driver.js';
import type { CommandRunner } from './command-runner.js';
import { DnfDriver } from './dnf-driver.js';
import type { PackageDriver } from './package-driver.js';
import { YumDriver } from './yum-driver.js';
import { ZypperDriver } from './zypper-driver.js';

/** The driver of a job manifest's `manager`, running its commands through `runner`. */
export function createPackageDriver(kind: PackageManagerKind, runner: CommandRunner): PackageDriver {
  switch (kind) {
    case 'apt':
      return new AptDriver(runner);
    case 'dnf':
      return new DnfDriver(runner);
    case 'yum':
      return new YumDriver(runner);
    case 'zypper':
      return new ZypperDriver(runner);
    case 'apk':
      return new ApkDriver(runner);
    default:
      return assertNever(kind, 'package manager');
  }
}
