/**
 * Alpine: `apk add name=version` installs an exact version (up or down: apk's solver satisfies
 * the world constraint whatever is installed) and `apk list --installed` reports versions.
 *
 * `apk add name=version` also writes the constraint into /etc/apk/world (apk-world(5)): the
 * package stays at that version until a later job (or an operator) installs another one. That is
 * what an exact target means on Alpine; docs/agent-execution.md says so.
 *
 * Alpine has no documented "reboot needed" signal (no reboot-required file, no needs-restarting),
 * so rebootRequired() is false and a kernel update needs the `always` reboot policy.
 */
import { PatchwiseError, apkScheme, type CommandRecord, type PackageVersion } from '@patchwise/core';
import { CommandFailedError } from './command-failed-error.js';
import type { CommandRunner } from './command-runner.js';
import type { PackageDriver } from './package-driver.js';
import { APK_NAME, validateTargets, type EcosystemRules } from './validate-targets.js';

const RULES: EcosystemRules = {
  what: 'Alpine package',
  name: APK_NAME,
  nameRule: 'letters, digits and . _ + -, not starting with . or -',
  scheme: apkScheme,
};
const TIMEOUT_MS = 30 * 60_000;

export class ApkDriver implements PackageDriver {
  readonly kind = 'apk' as const;

  constructor(private readonly runner: CommandRunner) {}

  withRunner(runner: CommandRunner): ApkDriver {
    return new ApkDriver(runner);
  }

  validate(targets: readonly PackageVersion[]): void {
    validateTargets(targets, RULES);
  }

  sameVersion(a: string, b: string): boolean {
    return apkScheme.compare(apkScheme.parse(a), apkScheme.parse(b)) === 0;
  }

  async queryVersions(names: readonly string[]): Promise<PackageVersion[]> {
    this.validate(names.map((name) => ({ name, version: null })));
    if (names.length === 0) return [];
    const record = await this.runner.run('query', ['apk', 'list', '--installed', ...names], { timeoutMs: 60_000 });
    if (record.exitCode !== 0) throw new CommandFailedError(record);
    const found = parseApkList(record.stdout, names);
    return names.map((name) => ({ name, version: found.get(name) ?? null }));
  }

  async install(targets: readonly PackageVersion[]): Promise<CommandRecord[]> {
    this.validate(targets);
    return this.#add('install', targets);
  }

  async restore(previous: readonly PackageVersion[]): Promise<CommandRecord[]> {
    this.validate(previous);
    const records = await this.#add(
      'restore',
      previous.filter((p) => p.version !== null),
    );
    const absent = previous.filter((p) => p.version === null).map((p) => p.name);
    const present = (await this.queryVersions(absent)).filter((p) => p.version !== null).map((p) => p.name);
    if (present.length > 0) records.push(await this.#mustSucceed('restore', ['apk', 'del', ...present]));
    return records;
  }

  rebootRequired(): Promise<boolean> {
    return Promise.resolve(false);
  }

  async #add(step: string, targets: readonly PackageVersion[]): Promise<CommandRecord[]> {
    if (targets.length === 0) return [];
    const specs = targets.map((t) => {
      if (t.version === null) throw new PatchwiseError('PW_INPUT_INVALID', 'an install needs a version (null means absent)', { input: JSON.stringify(t.name) });
      return `${t.name}=${t.version}`;
    });
    return [await this.#mustSucceed(step, ['apk', 'add', ...specs])];
  }

  async #mustSucceed(step: string, argv: readonly string[]): Promise<CommandRecord> {
    const record = await this.runner.run(step, argv, { timeoutMs: TIMEOUT_MS });
    if (record.exitCode !== 0) throw new CommandFailedError(record);
    return record;
  }
}

/**
 * `apk list --installed` lines are `name-version arch {origin} (license) [installed]`. A name may
 * itself contain `-`, so each line is matched against the names asked for: the rest after
 * `name-` must be a whole apk version (`foo-bar-1.0-r0` is not a version of `foo`).
 */
export function parseApkList(stdout: string, names: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (!line.includes('[installed]')) continue;
    const token = line.split(' ')[0] ?? '';
    for (const name of names) {
      if (!token.startsWith(`${name}-`)) continue;
      const version = token.slice(name.length + 1);
      try {
        apkScheme.parse(version);
      } catch {
        continue;
      }
      found.set(name, version);
    }
  }
  return found;
}
