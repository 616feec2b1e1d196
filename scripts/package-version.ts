import { PatchwiseError } from '@patchwise/core';

/**
 * The version as both packages' Version: rpm's may not hold '-' (it separates the release), and
 * in dpkg's the part after the last '-' is the Debian revision. A SemVer pre-release `1.2.0-rc.1`
 * becomes `1.2.0~rc.1`, which rpm and dpkg both sort before `1.2.0`, as SemVer does.
 */
export function packageVersion(semver: string): string {
  const version = semver.replace('-', '~');
  if (!/^[0-9][A-Za-z0-9.+~]*$/.test(version)) {
    throw new PatchwiseError('PW_VERSION_INVALID', `${JSON.stringify(semver)} cannot be a package version (digits, letters, '.', '+', '~' and one '-')`, {
      input: 'packages/cli/package.json version',
    });
  }
  return version;
}
