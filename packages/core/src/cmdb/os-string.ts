/**
 * Comparing a CMDB's free-text operating system ("Debian GNU/Linux 12 (bookworm)", "rhel 9",
 * "Ubuntu 22.04.3 LTS") with a host's os-release ID and VERSION_ID. Forgiving on purpose: names
 * go through an alias table, and versions compare only on the components both sides give, so
 * "debian 12" agrees with a host on 12.5 and "Debian 12.5" with a host reporting just "12".
 */

/** An operating system reduced to an os-release-like id and numeric version components. */
export interface OsName {
  readonly id: string;
  readonly version: readonly number[];
}

/** Names as CMDBs and os-release write them → os-release ID. Keys are lower case, single-spaced. */
const OS_ALIASES: Readonly<Record<string, string>> = {
  debian: 'debian',
  'debian gnu/linux': 'debian',
  ubuntu: 'ubuntu',
  'ubuntu server': 'ubuntu',
  rhel: 'rhel',
  redhat: 'rhel',
  'red hat': 'rhel',
  'red hat enterprise linux': 'rhel',
  'red hat enterprise linux server': 'rhel',
  'rhel server': 'rhel',
  rocky: 'rocky',
  'rocky linux': 'rocky',
  rockylinux: 'rocky',
  alma: 'almalinux',
  almalinux: 'almalinux',
  'alma linux': 'almalinux',
  alpine: 'alpine',
  'alpine linux': 'alpine',
  centos: 'centos',
  'centos linux': 'centos',
  sles: 'sles',
  suse: 'sles',
  'suse linux enterprise server': 'sles',
  'opensuse leap': 'opensuse-leap',
  'opensuse-leap': 'opensuse-leap',
  fedora: 'fedora',
  'fedora linux': 'fedora',
  amzn: 'amzn',
  'amazon linux': 'amzn',
  ol: 'ol',
  'oracle linux': 'ol',
  'oracle linux server': 'ol',
};

/**
 * `Debian GNU/Linux 12 (bookworm)` → {debian, [12]}; `rhel9` → {rhel, [9]};
 * `SLES 15 SP5` → {sles, [15, 5]}; `Ubuntu 22.04.3 LTS` → {ubuntu, [22, 4, 3]}.
 * An unknown name keeps its words joined by `-` as the id (`windows-server`).
 */
export function parseOsName(text: string): OsName {
  const t = text
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\s+sp(\d+)\b/, '.$1')
    .replace(/\blts\b/g, ' ')
    .trim();
  const m = /^(.*?)[\s_-]*v?(\d+(?:\.\d+)*)\b.*$/.exec(t);
  const name = (m ? (m[1] as string) : t).replace(/\s+/g, ' ').trim();
  const version = m ? (m[2] as string).split('.').map(Number) : [];
  return { id: OS_ALIASES[name] ?? name.replace(/ /g, '-'), version };
}

/** True when the asset's os text and the host's id/version name the same release as far as both say. */
export function sameOs(assetOs: string, host: { readonly id: string; readonly versionId: string }): boolean {
  const a = parseOsName(assetOs);
  const h = parseOsName(`${host.id} ${host.versionId}`);
  if (a.id !== h.id) return false;
  const n = Math.min(a.version.length, h.version.length);
  for (let i = 0; i < n; i++) if (a.version[i] !== h.version[i]) return false;
  return true;
}
