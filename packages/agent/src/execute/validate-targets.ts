/**
 * Validation of package names and versions before they reach a package manager. Everything
 * goes through execFile as separate arguments, so nothing is ever parsed by a shell; these rules
 * are the second wall: a name or version that is not one the ecosystem could contain is refused,
 * so it can be neither an option (`-oAPT::…`), a glob (`dpkg-query -W 'a*'`), a path nor a
 * second package.
 */
import { PatchwiseError, type PackageVersion, type VersionScheme } from '@patchwise/core';

export interface EcosystemRules {
  /** For messages: `Debian package`, `RPM package`, `Alpine package`. */
  readonly what: string;
  readonly name: RegExp;
  /** The name rule in words, for the message. */
  readonly nameRule: string;
  readonly scheme: VersionScheme;
  /** A rule the scheme does not enforce (RPM targets need a release), or undefined when the version passes. */
  readonly versionProblem?: (version: string) => string | undefined;
}

const MAX_NAME = 200;
const MAX_VERSION = 200;
/** Blanks and control characters: the schemes trim blanks, and a package manager would see another word. */
const hasBlankOrControl = (text: string): boolean => /\s/.test(text) || [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** Throws PW_INPUT_INVALID for the first target breaking `rules` (or named twice). */
export function validateTargets(targets: readonly PackageVersion[], rules: EcosystemRules): void {
  const seen = new Set<string>();
  for (const target of targets) {
    const name: unknown = target?.name;
    if (typeof name !== 'string') throw new PatchwiseError('PW_INPUT_INVALID', `${rules.what} name must be a string`, { input: String(name) });
    const input = JSON.stringify(name);
    if (name.length > MAX_NAME || !rules.name.test(name)) {
      throw new PatchwiseError('PW_INPUT_INVALID', `not a valid ${rules.what} name (${rules.nameRule})`, { input });
    }
    if (seen.has(name)) throw new PatchwiseError('PW_INPUT_INVALID', `${rules.what} named twice in one job`, { input });
    seen.add(name);
    const version: unknown = target.version;
    if (version === null) continue;
    if (typeof version !== 'string') throw new PatchwiseError('PW_INPUT_INVALID', 'version must be a string or null', { input });
    const problem = versionProblem(version, rules);
    if (problem) throw new PatchwiseError('PW_INPUT_INVALID', `version ${JSON.stringify(version)}: ${problem}`, { input });
  }
}

function versionProblem(version: string, rules: EcosystemRules): string | undefined {
  if (version === '') return 'is empty';
  if (version.length > MAX_VERSION) return `longer than ${MAX_VERSION} characters`;
  if (hasBlankOrControl(version)) return 'contains a blank or control character';
  if (version.startsWith('-')) return "starts with '-'";
  try {
    rules.scheme.parse(version);
  } catch (err) {
    return err instanceof PatchwiseError ? err.message : String(err);
  }
  return rules.versionProblem?.(version);
}

/** Debian policy 5.6.1: lower case letters, digits, `+ - .`, at least two characters, starting with a letter or digit. */
export const DPKG_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** RPM names: letters, digits and `._+-`, never starting with `-` (rpm would read an option). No globs: dnf and zypper expand them. */
export const RPM_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;
/** Alpine (apk-tools `apk_dep_parse`): letters, digits and `._+-`; no operators (`=<>~`), no `@tag`. */
export const APK_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;
