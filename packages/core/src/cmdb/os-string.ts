/**
 * Comparing a CMDB's free-text operating system ("Debian GNU/Linux 12 (bookworm)", "rhel 9",
 * "Ubuntu 22.04.3 LTS") with a host's os-release ID and VERSION_ID. Forgiving on purpose: names
 * go through an alias table, and versions compare only on the components both sides give, so
 * "debian 12" agrees with a host on 12.5 and "Debian 12.5" with a host reporting just "12".
 */

import { productOsId } from '../inventory/index.js';

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
  // CentOS Stream shares os-release ID `centos`; productOsId tells the host's apart by its name.
  'centos stream': 'centos-stream',
  linuxmint: 'linuxmint',
  'linux mint': 'linuxmint',
  mint: 'linuxmint',
  sles: 'sles',
  suse: 'sles',
  'suse linux enterprise server': 'sles',
  'opensuse leap': 'opensuse-leap',
  'opensuse tumbleweed': 'opensuse-tumbleweed',
  fedora: 'fedora',
  'fedora linux': 'fedora',
  amzn: 'amzn',
  'amazon linux': 'amzn',
  ol: 'ol',
  'oracle linux': 'ol',
  'oracle linux server': 'ol',
};

/** Words vendors append to a name (`AlmaLinux OS`, `CentOS Linux`, `… Server`) that name nothing more. */
const SUFFIXES = new Set(['os', 'linux', 'gnu/linux', 'server']);

/**
 * `Debian GNU/Linux 12 (bookworm)` → {debian, [12]}; `rhel9` → {rhel, [9]};
 * `Rocky Linux release 9.3 (Blue Onyx)` → {rocky, [9, 3]}; `AlmaLinux OS 9.4` → {almalinux, [9, 4]};
 * `SLES 15 SP5`, `SLES 15-SP5` → {sles, [15, 5]}; `Ubuntu 22.04.3 LTS` → {ubuntu, [22, 4, 3]};
 * `CentOS Stream 9` → {centos-stream, [9]} (not CentOS Linux: another product with its own life).
 * An unknown name keeps its words joined by `-` as the id (`windows-server`).
 */
export function parseOsName(text: string): OsName {
  const t = text
    .toLowerCase()
    // Codenames: `(bookworm)`, `(Blue Onyx)`, `(Core)`.
    .replace(/\([^)]*\)/g, ' ')
    // redhat-release spelling: `Rocky Linux release 9.3`.
    .replace(/\brelease\b/g, ' ')
    // SUSE service packs: `15 SP5`, `15-SP5`, `15SP5`, `15 SP 5` are 15.5, as VERSION_ID says.
    .replace(/(\d)[\s_-]*sp\s*(\d+)\b/g, '$1.$2')
    .replace(/\blts\b/g, ' ')
    .trim();
  const m = /^(.*?)[\s_-]*v?(\d+(?:\.\d+)*)\b.*$/.exec(t);
  const words = (m ? (m[1] as string) : t).split(/[\s_-]+/).filter((w) => w !== '');
  const version = m ? (m[2] as string).split('.').map(Number) : [];
  const id = knownId(words) ?? words.join('-');
  // `CentOS 9` can only be Stream: CentOS Linux ended with 8.
  return { id: productOsId({ id, versionId: version.join('.') }), version };
}

/** The alias the words name, after dropping vendor suffixes and a leading `Linux` (`Linux Red Hat`). */
function knownId(words: readonly string[]): string | undefined {
  const starts = words.length > 1 && words[0] === 'linux' ? [words, words.slice(1)] : [words];
  for (const start of starts) {
    const w = [...start];
    for (;;) {
      const id = OS_ALIASES[w.join(' ')];
      if (id) return id;
      if (w.length < 2 || !SUFFIXES.has(w[w.length - 1] as string)) break;
      w.pop();
    }
  }
  return undefined;
}

/**
 * True when the asset's os text and the host's os-release (ID, VERSION_ID and, to tell CentOS
 * Stream from CentOS Linux, its name) name the same release as far as both say.
 */
export function sameOs(assetOs: string, host: { readonly id: string; readonly versionId: string; readonly name?: string | undefined }): boolean {
  const a = parseOsName(assetOs);
  const h = parseOsName(`${productOsId(host)} ${host.versionId}`);
  if (a.id !== h.id) return false;
  const n = Math.min(a.version.length, h.version.length);
  for (let i = 0; i < n; i++) if (a.version[i] !== h.version[i]) return false;
  return true;
}
