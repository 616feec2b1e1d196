/**
 * One interface over the package managers a job can drive. Every driver validates package names
 * and versions by its ecosystem's rules BEFORE anything reaches a command, installs exact
 * versions (downgrades included), reads installed versions back, restores recorded versions and
 * says whether the host asks for a reboot.
 */
import type { CommandRecord, PackageManagerKind, PackageVersion } from '@patchwise/core';
import type { CommandRunner } from './command-runner.js';

export interface PackageDriver {
  readonly kind: PackageManagerKind;
  /**
   * Throws PatchwiseError PW_INPUT_INVALID naming the first package whose name or version breaks
   * the ecosystem's rules (and why), or a name given twice. `version: null` (absent) is valid.
   */
  validate(targets: readonly PackageVersion[]): void;
  /** The installed version of each name, in the order given; null when it is not installed (only fully installed states count). */
  queryVersions(names: readonly string[]): Promise<PackageVersion[]>;
  /** Installs exactly these versions (upgrading or downgrading); throws CommandFailedError when the tool reports failure. */
  install(targets: readonly PackageVersion[]): Promise<CommandRecord[]>;
  /**
   * Brings back recorded versions: reinstalls each exact version, removes packages whose recorded
   * version is null. Also works after a failed or interrupted transaction left packages half-installed.
   */
  restore(previous: readonly PackageVersion[]): Promise<CommandRecord[]>;
  /** Whether the host says it needs a reboot (each driver's documented signal). */
  rebootRequired(): Promise<boolean>;
  /** True when two versions are the same in this ecosystem's order (dpkg's `0:1.0` is `1.0`). */
  sameVersion(a: string, b: string): boolean;
  /** The same driver running its commands through `runner` (executeJob records every command of a job this way). */
  withRunner(runner: CommandRunner): PackageDriver;
}
