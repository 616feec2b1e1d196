/**
 * Installed versions from the RPM database, shared by the dnf, yum and zypper drivers: they all
 * sit on rpm, and `rpm -q --qf` prints exactly the fields asked for, whatever the front end.
 */
import { PatchwiseError, rpmScheme, type PackageVersion } from '@patchwise/core';
import { CommandFailedError } from './command-failed-error.js';
import type { CommandRunner } from './command-runner.js';
import { RPM_NAME, type EcosystemRules } from './validate-targets.js';

export const RPM_RULES: EcosystemRules = {
  what: 'RPM package',
  name: RPM_NAME,
  nameRule: 'letters, digits and . _ + -, not starting with . or -',
  scheme: rpmScheme,
  // Without a release, `name-1.2` matches every release of 1.2: not an exact version.
  versionProblem: (version) => (version.includes('-') ? undefined : 'an exact RPM version needs a release ([epoch:]version-release)'),
};

/** `%{EPOCH}` prints `(none)` for packages built without one (EPOCHNUM is missing from older rpm). */
export const RPM_QUERY_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\n';
const NOT_INSTALLED = /^package (\S+) is not installed$/;

/**
 * `rpm -q --qf FORMAT -- names…`: one line per installed package (several for install-only
 * packages such as the kernel, of which the highest version is reported), `package X is not
 * installed` for the others; the exit status counts those, so it is not an error by itself.
 */
export async function queryRpmVersions(runner: CommandRunner, names: readonly string[]): Promise<PackageVersion[]> {
  if (names.length === 0) return [];
  const record = await runner.run('query', ['rpm', '-q', '--qf', RPM_QUERY_FORMAT, '--', ...names], { timeoutMs: 60_000 });
  if (record.exitCode === null) throw new CommandFailedError(record);
  const found = parseRpmQuery(record.stdout);
  const missing = new Set<string>();
  for (const line of record.stdout.split('\n')) {
    const m = NOT_INSTALLED.exec(line.trim());
    if (m?.[1]) missing.add(m[1]);
  }
  return names.map((name) => {
    const version = found.get(name);
    if (version !== undefined) return { name, version };
    // Neither a line nor "not installed": rpm failed (a damaged database), not an absent package.
    if (!missing.has(name)) throw new CommandFailedError(record, `rpm printed nothing about ${name}`);
    return { name, version: null };
  });
}

/** NAME → `[epoch:]version-release` from `RPM_QUERY_FORMAT` lines; the highest wins for install-only packages. */
export function parseRpmQuery(stdout: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const fields = line.split('\t');
    if (fields.length !== 4) continue;
    const [name, epoch, version, release] = fields as [string, string, string, string];
    const evr = `${epoch === '(none)' || epoch === '' ? '' : `${epoch}:`}${version}-${release}`;
    const seen = found.get(name);
    if (seen === undefined || rpmScheme.compare(rpmScheme.parse(evr), rpmScheme.parse(seen)) > 0) found.set(name, evr);
  }
  return found;
}

/** `name-[epoch:]version-release`: the NEVR form dnf, yum and rpm all read as one exact package. */
export function nevr(target: PackageVersion): string {
  if (target.version === null) throw new PatchwiseError('PW_INPUT_INVALID', 'an install needs a version (null means absent)', { input: JSON.stringify(target.name) });
  return `${target.name}-${target.version}`;
}

export function sameRpmVersion(a: string, b: string): boolean {
  return rpmScheme.compare(rpmScheme.parse(a), rpmScheme.parse(b)) === 0;
}
