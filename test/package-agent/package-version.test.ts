/**
 * The packaged agent's version in its .deb and .rpm (scripts/package-version.ts): a SemVer
 * pre-release must sort before its release in both package managers, as dpkg and rpm themselves
 * decide.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packageVersion } from '../../scripts/package-version.js';
import { requireOracle } from '../../packages/core/test/oracle/oracle-support.js';

const dpkgLess = (a: string, b: string): boolean => {
  try {
    execFileSync('dpkg', ['--compare-versions', a, 'lt', b]);
    return true;
  } catch {
    return false;
  }
};
const rpmCompare = (a: string, b: string): number => Number(execFileSync('rpm', ['--eval', `%{lua: print(rpm.vercmp("${a}", "${b}"))}`], { encoding: 'utf8' }).trim());

describe('packageVersion', () => {
  it('keeps a release as it is and writes a pre-release with ~', () => {
    expect(packageVersion('0.1.0')).toBe('0.1.0');
    expect(packageVersion('1.2.0-rc.1')).toBe('1.2.0~rc.1');
    expect(packageVersion('1.2.0+build.5')).toBe('1.2.0+build.5');
  });

  it('refuses what neither package manager takes, naming the version', () => {
    expect(() => packageVersion('v1.2.0')).toThrow(expect.objectContaining({ code: 'PW_VERSION_INVALID', message: expect.stringContaining('"v1.2.0" cannot be a package version') }));
    expect(() => packageVersion('1.2.0 beta')).toThrow(expect.objectContaining({ code: 'PW_VERSION_INVALID' }));
  });

  it('sorts a pre-release before its release in dpkg and in rpm', ({ skip }) => {
    requireOracle(['/usr/bin/dpkg', '/usr/bin/rpm'].filter((p) => !existsSync(p)).join(', ') || undefined, skip);
    expect(dpkgLess(packageVersion('1.2.0-rc.1'), packageVersion('1.2.0'))).toBe(true);
    expect(dpkgLess(packageVersion('1.2.0'), packageVersion('1.2.0-rc.1'))).toBe(false);
    expect(rpmCompare(packageVersion('1.2.0-rc.1'), packageVersion('1.2.0'))).toBe(-1);
  });
});
