/**
 * How people name a distribution release when selecting hosts: `debian`, `debian-12`,
 * `debian:12`, `ubuntu 22.04`, `opensuse-leap`, `opensuse-leap-15.5`. One reading for every
 * place that selects by OS (`hosts list --os`, group selectors), so they agree.
 */
import { PatchwiseError } from '../errors/index.js';

/** An os-release ID and, when given, the version (a prefix of VERSION_ID by components). */
export interface OsSelector {
  readonly id: string;
  readonly version: string | undefined;
}

const ID = /^[a-z][a-z0-9._-]*$/;
// No `_` or `%`: the version also goes into an SQL LIKE pattern.
const VERSION = /^\d[0-9a-z.~+-]*$/;

/**
 * `opensuse-leap-15.5` → {opensuse-leap, 15.5}; `debian:12` → {debian, 12}; `rhel` → {rhel}.
 * os-release ids contain dashes (`opensuse-leap`, `opensuse-tumbleweed`) but versions start with
 * a digit, so the id runs up to the first space, colon or dash that is followed by a digit.
 * Throws PW_INPUT_INVALID naming `source` when neither part reads.
 */
export function parseOsSelector(text: string, source = 'os'): OsSelector {
  const t = text.trim().toLowerCase();
  const m = /^(.*?)(?:[\s:-]+(\d.*))?$/.exec(t) as RegExpExecArray;
  const id = (m[1] as string).trim();
  const version = m[2]?.trim();
  if (!ID.test(id)) {
    throw new PatchwiseError('PW_INPUT_INVALID', `"${text}": expected an os-release id, optionally with a version (debian, debian-12, opensuse-leap 15.5)`, { input: source });
  }
  if (version !== undefined && !VERSION.test(version)) {
    throw new PatchwiseError('PW_INPUT_INVALID', `"${text}": the version "${version}" is not a release number such as 12 or 15.5`, { input: source });
  }
  return { id, version };
}

/** True when a host's os-release id and VERSION_ID are the selected release (`12` holds 12.5). */
export function osSelected(selector: OsSelector, os: { readonly id: string; readonly versionId: string | null }): boolean {
  if (selector.id !== os.id) return false;
  const { version } = selector;
  return version === undefined || os.versionId === version || (os.versionId ?? '').startsWith(`${version}.`);
}
