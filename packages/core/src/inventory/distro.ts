/**
 * From "which distribution is this host" (os-release ID + VERSION_ID, or a purl `distro`
 * qualifier) to the OSV ecosystem its packages are matched in. The mapping is a table of facts
 * from the OSV schema's ecosystem list; a distribution OSV has no ecosystem for is an error,
 * never a guess at a neighbour (CentOS is not Rocky Linux).
 */
import { PatchwiseError } from '../errors/index.js';
import type { Distro } from './types.js';
import { parseOsReleaseText } from './parse-os-release-text.js';

/** A distribution release as named by os-release or a purl qualifier, before mapping. */
export interface DistroRelease {
  /** os-release ID (lower-case), or '' when a qualifier carried only a version (Trivy's apk `distro=3.18.4`). */
  readonly id: string;
  /** VERSION_ID, '' when absent (rolling releases: Wolfi, Tumbleweed). */
  readonly versionId: string;
}

/** The fields of /etc/os-release Patchwise uses, plus all fields as read. */
export interface OsRelease extends DistroRelease {
  readonly idLike: readonly string[];
  readonly prettyName?: string | undefined;
  readonly versionCodename?: string | undefined;
  readonly fields: Readonly<Record<string, string>>;
}

type Mapper = (versionId: string, id: string) => string;

const major = (v: string): string => v.split('.')[0] ?? v;

/** Version shapes, with the words used when one does not fit. */
const NUMERIC = { re: /^\d+(\.\d+)*$/, text: 'a number such as 9 or 9.4' };
const MAJOR_MINOR = { re: /^\d+\.\d+$/, text: 'major.minor such as 15.5' };
const MAJOR = { re: /^\d+$/, text: 'a release number such as 39' };

/**
 * Ecosystem spellings follow https://ossf.github.io/osv-schema/#affectedpackage-field (ecosystems.json).
 * Keys are os-release IDs plus the spellings scanners put in purl `distro` qualifiers
 * (Trivy: `alma`, `redhat`, `opensuse.leap`, `suse linux enterprise server`).
 */
const MAPPERS: ReadonlyMap<string, Mapper> = new Map<string, Mapper>([
  // Debian's OSV releases are the major version (`Debian:12`); point releases share advisories.
  ['debian', debian],
  ['ubuntu', ubuntu],
  ['almalinux', (v) => `AlmaLinux:${major(need(v, NUMERIC, 'almalinux'))}`],
  ['alma', (v) => `AlmaLinux:${major(need(v, NUMERIC, 'alma'))}`],
  ['rocky', (v) => `Rocky Linux:${major(need(v, NUMERIC, 'rocky'))}`],
  // Red Hat's OSV ecosystems are CPE product streams (`Red Hat:enterprise_linux:9::baseos`,
  // `…::appstream`, `…::crb`). Which repository an installed rpm came from is not in the rpm
  // database, so the inventory names the product and major release only, and matching has to
  // treat `Red Hat:enterprise_linux:9` as covering every `Red Hat:enterprise_linux:9::<repo>`.
  ['rhel', (v) => `Red Hat:enterprise_linux:${major(need(v, NUMERIC, 'rhel'))}`],
  ['redhat', (v) => `Red Hat:enterprise_linux:${major(need(v, NUMERIC, 'redhat'))}`],
  ['alpine', alpine],
  ['wolfi', () => 'Wolfi'],
  ['chainguard', () => 'Chainguard'],
  // openSUSE and SUSE releases are the marketing name from PRETTY_NAME (`openSUSE:Leap 15.5`).
  ['opensuse-leap', (v) => `openSUSE:Leap ${need(v, MAJOR_MINOR, 'opensuse-leap')}`],
  ['opensuse.leap', (v) => `openSUSE:Leap ${need(v, MAJOR_MINOR, 'opensuse.leap')}`],
  ['opensuse-tumbleweed', () => 'openSUSE:Tumbleweed'],
  ['opensuse.tumbleweed', () => 'openSUSE:Tumbleweed'],
  ['sles', (v, id) => `SUSE:Linux Enterprise Server ${slesRelease(v, id)}`],
  ['suse linux enterprise server', (v, id) => `SUSE:Linux Enterprise Server ${slesRelease(v, id)}`],
  ['sles_sap', (v, id) => `SUSE:Linux Enterprise Server for SAP Applications ${slesRelease(v, id)}`],
  ['sled', (v, id) => `SUSE:Linux Enterprise Desktop ${slesRelease(v, id)}`],
  // OSV publishes no Fedora records today; the ecosystem is still named so the host is scannable
  // and matching can say "no advisories for Fedora:39" instead of the inventory failing.
  ['fedora', (v) => `Fedora:${need(v, MAJOR, 'fedora')}`],
  ['mageia', (v) => `Mageia:${major(need(v, NUMERIC, 'mageia'))}`],
  ['photon', (v) => `Photon OS:${need(v, MAJOR_MINOR, 'photon')}`],
]);

/**
 * The OSV ecosystem for a distribution release.
 * `ecosystemForDistro('debian', '12.5')` → `Debian:12`; `('ubuntu', '22.04')` → `Ubuntu:22.04:LTS`;
 * `('alpine', '3.18.4')` → `Alpine:v3.18`; `('rhel', '9.2')` → `Red Hat:enterprise_linux:9`.
 * Throws PW_ECOSYSTEM_UNKNOWN naming the id when OSV has no ecosystem for it, and PW_INPUT_INVALID
 * when the version is missing or not of the distribution's shape.
 */
export function ecosystemForDistro(id: string, versionId: string): string {
  const key = id.trim().toLowerCase();
  const mapper = MAPPERS.get(key);
  if (!mapper) {
    const shown = versionId ? `${id} ${versionId}` : id;
    throw new PatchwiseError(
      'PW_ECOSYSTEM_UNKNOWN',
      `no OSV ecosystem for distribution "${id}"; supported: ${supportedDistroIds().join(', ')}`,
      { input: shown || '(empty distribution id)' },
    );
  }
  return mapper(versionId.trim(), key);
}

/** `ecosystemForDistro` packaged with the release it came from. */
export function distroOf(id: string, versionId: string): Distro {
  return { id: id.trim().toLowerCase(), versionId: versionId.trim(), ecosystem: ecosystemForDistro(id, versionId) };
}

/** The distribution ids `ecosystemForDistro` accepts. */
function supportedDistroIds(): string[] {
  return [...MAPPERS.keys()];
}

/**
 * Splits a purl `distro` qualifier: `debian-12.5` → {debian, 12.5}, `opensuse-leap-15.5` →
 * {opensuse-leap, 15.5}, `wolfi` → {wolfi, ''}, `3.18.4` → {'', 3.18.4} (Trivy writes the alpine
 * version alone; the purl namespace then names the distribution).
 * The id ends at the last `-` that is followed by a digit, since ids themselves contain dashes.
 */
export function parseDistroQualifier(qualifier: string): DistroRelease {
  const q = qualifier.trim();
  if (/^\d/.test(q)) return { id: '', versionId: q };
  for (let i = q.length - 2; i > 0; i--) {
    if (q[i] === '-' && isDigit(q.charCodeAt(i + 1))) {
      return { id: q.slice(0, i).toLowerCase(), versionId: q.slice(i + 1) };
    }
  }
  return { id: q.toLowerCase(), versionId: '' };
}

/**
 * Reads /etc/os-release (os-release(5)) with the systemd reader's rules (parseOsReleaseText).
 * ID defaults to `linux` as the specification says.
 */
export function parseOsRelease(text: string): OsRelease {
  const fields = Object.fromEntries(parseOsReleaseText(text));
  const idLike = (fields.ID_LIKE ?? '').split(/\s+/).filter((s) => s !== '');
  return {
    id: (fields.ID ?? 'linux').toLowerCase(),
    versionId: fields.VERSION_ID ?? '',
    idLike,
    prettyName: fields.PRETTY_NAME,
    versionCodename: fields.VERSION_CODENAME,
    fields,
  };
}

function ubuntu(v: string): string {
  const m = /^(\d{2})\.(\d{2})(?:\.\d+)?$/.exec(v);
  if (!m) throw badVersion('ubuntu', v, 'YY.MM, e.g. 22.04');
  const year = Number(m[1]);
  // LTS releases are the April release of even years (6.06 predates OSV's data).
  const lts = m[2] === '04' && year % 2 === 0;
  return `Ubuntu:${m[1]}.${m[2]}${lts ? ':LTS' : ''}`;
}

/**
 * Debian testing and unstable (sid) have no VERSION_ID: os-release names only the next release's
 * codename (PRETTY_NAME "Debian GNU/Linux forky/sid"). OSV's Debian ecosystems are numbered
 * releases, and sid's packages are newer than any of them, so matching sid against the release
 * in development (or the last stable one) would report fixes that do not apply: refused, with why.
 */
function debian(v: string, id: string): string {
  if (v === '') {
    throw new PatchwiseError(
      'PW_INPUT_INVALID',
      `distribution "${id}" has no version (VERSION_ID), as on Debian testing and unstable (sid); OSV's Debian ecosystems are numbered releases (Debian:12) and none holds testing's or sid's packages, so its OSV release cannot be named`,
      { input: id },
    );
  }
  return `Debian:${major(need(v, NUMERIC, id))}`;
}

function alpine(v: string): string {
  const m = /^(\d+)\.(\d+)/.exec(v);
  if (!m) throw badVersion('alpine', v, 'major.minor[.patch], e.g. 3.18.4');
  return `Alpine:v${m[1]}.${m[2]}`;
}

/** SLES VERSION_ID `15.5` is "15 SP5"; `15` (GA) and `15.0` are plain "15". */
function slesRelease(v: string, id: string): string {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m) throw badVersion(id, v, 'major[.servicepack], e.g. 15.5');
  return m[2] && m[2] !== '0' ? `${m[1]} SP${m[2]}` : (m[1] as string);
}

function need(v: string, shape: { re: RegExp; text: string }, id: string): string {
  if (!shape.re.test(v)) throw badVersion(id, v, shape.text);
  return v;
}

function badVersion(id: string, v: string, expected: string): PatchwiseError {
  const what = v === '' ? 'has no version (VERSION_ID)' : `has version "${v}", expected ${expected}`;
  return new PatchwiseError('PW_INPUT_INVALID', `distribution "${id}" ${what}; its OSV release cannot be named`, {
    input: v ? `${id} ${v}` : id,
  });
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
