/**
 * What the agent-execution end-to-end tests share: manifests with sensible defaults, the
 * injected dependencies of executeJob over a test host, and dpkg itself as the oracle of what
 * is installed (read with the chroot's dpkg-query, not with the driver under test).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AptDriver, JobJournal, type CommandRunner, type ExecuteJobDeps, type PackageDriver } from '@patchwise/agent';
import type { JobManifest, PackageManagerKind, PackageVersion } from '@patchwise/core';
import { exec } from './exec-file.js';
import type { HostClone } from './host-clone.js';

/** An apt install job for `targets`; fresh job id and idempotency key, valid for an hour. */
export function aptJob(targets: readonly PackageVersion[], overrides: Partial<JobManifest> = {}): JobManifest {
  return packageJob('apt', targets, overrides);
}

/** An install job of `manager` for `targets`; fresh job id and idempotency key, valid for an hour. */
export function packageJob(manager: PackageManagerKind, targets: readonly PackageVersion[], overrides: Partial<JobManifest> = {}): JobManifest {
  const now = Date.now();
  return {
    v: 1,
    jobId: randomUUID(),
    idempotencyKey: randomUUID(),
    deploymentId: 1,
    hostId: randomUUID(),
    action: 'install',
    manager,
    targets,
    reboot: 'never',
    preSteps: [],
    postSteps: [],
    preChecks: [],
    postChecks: [],
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 3_600_000).toISOString(),
    ...overrides,
  };
}

export interface JobHarness {
  readonly deps: ExecuteJobDeps;
  readonly stateDir: string;
  /** How many times requestReboot was called. */
  reboots(): number;
}

/** executeJob's dependencies for `host`: its chroot runner, a driver (apt unless given), a journal in a fresh state directory. */
export function jobHarness(
  host: HostClone,
  options: { runner?: CommandRunner; stateDir?: string; clock?: () => Date; driver?: (runner: CommandRunner) => PackageDriver } = {},
): JobHarness {
  // Inside the clone's own temporary directory (beside its root), so disposing the host removes it.
  const stateDir = options.stateDir ?? mkdtempSync(join(dirname(host.root), 'agent-state-'));
  const runner = options.runner ?? host.runner;
  let reboots = 0;
  return {
    stateDir,
    reboots: () => reboots,
    deps: {
      driver: options.driver?.(runner) ?? new AptDriver(runner),
      runner,
      journal: new JobJournal(stateDir),
      clock: options.clock ?? (() => new Date()),
      fetch: globalThis.fetch,
      reboot: {
        bootId: () => Promise.resolve(null),
        request: () => {
          reboots++;
          return Promise.resolve();
        },
      },
    },
  };
}

export interface DpkgState {
  /** `ii`, `iF` (half-configured), `rc` (config files only), or `absent` when dpkg does not know it. */
  readonly abbrev: string;
  readonly version: string | null;
}

/** dpkg's own view of `name` in the host. */
export async function dpkgState(host: HostClone, name: string): Promise<DpkgState> {
  try {
    const { stdout } = await exec('chroot', [host.root, 'dpkg-query', '-W', '-f=${db:Status-Abbrev}\\t${Version}', name]);
    const [abbrev = '', version = ''] = stdout.split('\t');
    return { abbrev: abbrev.trim(), version: version === '' ? null : version };
  } catch {
    return { abbrev: 'absent', version: null };
  }
}

/** Lines of the host's /var/log/dpkg.log recording `name` reaching `version` ("status installed name:all version"). */
export function installsLogged(host: HostClone, name: string, version: string): number {
  const log = readFileSync(join(host.root, 'var/log/dpkg.log'), 'utf8');
  return log.split('\n').filter((line) => line.endsWith(` status installed ${name}:all ${version}`)).length;
}
