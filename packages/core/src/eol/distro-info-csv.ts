/**
 * Reads the distro-info-data CSVs (Debian's `distro-info-data` package: debian.csv, ubuntu.csv).
 * Their columns are version,codename,series,created,release,eol followed by optional
 * distribution-specific phases: Debian eol-lts, eol-elts; Ubuntu eol-server, eol-esm, eol-legacy.
 * Rows stop early when a date is not known yet (Debian 14 has no release or eol).
 */
import { dataLines, isoDate, malformedData, splitPlainCsv } from './data-lines.js';
import type { ExtendedPhase, IsoDate, ReleaseLifecycle } from './types.js';

/** Distributions distro-info-data describes. */
export type DistroInfoDistro = 'debian' | 'ubuntu';

const REQUIRED = ['version', 'codename', 'series', 'created', 'release', 'eol'] as const;

/** Extended phases per column, in the words reasons use. */
const EXTENDED: Readonly<Record<string, Omit<ExtendedPhase, 'end'>>> = {
  'eol-lts': { name: 'LTS', provider: 'Debian LTS team', subscription: false },
  'eol-elts': { name: 'ELTS', provider: 'Freexian Extended LTS', subscription: true },
  'eol-esm': { name: 'ESM', provider: 'Ubuntu Pro Expanded Security Maintenance', subscription: true },
  'eol-legacy': { name: 'Legacy', provider: 'Ubuntu Pro Legacy add-on', subscription: true },
};

/**
 * One lifecycle per numbered release. Rows without a version (Debian sid, experimental) are not
 * releases a host can be supported on and are left out. Throws PW_INPUT_MALFORMED naming `file`
 * and the line for a missing header column, a row with too few or too many fields, or a bad date.
 */
export function parseDistroInfoCsv(text: string, file: string, distro: DistroInfoDistro): ReleaseLifecycle[] {
  const lines = dataLines(text);
  const head = lines[0];
  if (!head) throw malformedData(file, 1, 'empty file; expected a header row starting with version,codename,series');
  const columns = splitPlainCsv(head, file).map((c) => c.toLowerCase());
  for (const [i, name] of REQUIRED.entries()) {
    if (columns[i] !== name) {
      throw malformedData(file, head.line, `header column ${i + 1} is "${columns[i] ?? ''}", expected "${name}"`);
    }
  }
  const out: ReleaseLifecycle[] = [];
  for (const d of lines.slice(1)) {
    const fields = splitPlainCsv(d, file);
    // version, codename, series and created are always present; later dates appear as they are announced.
    if (fields.length < 4 || fields.length > columns.length) {
      throw malformedData(file, d.line, `has ${fields.length} fields; expected 4 to ${columns.length} (${columns.join(',')})`);
    }
    const get = (name: string): string => fields[columns.indexOf(name)] ?? '';
    const date = (name: string): IsoDate | undefined => {
      const v = columns.includes(name) ? get(name) : '';
      return v === '' ? undefined : isoDate(v, file, d.line, name);
    };
    const rawVersion = get('version');
    const series = get('series').toLowerCase();
    if (series === '' || !/^[a-z][a-z0-9-]*$/.test(series)) {
      throw malformedData(file, d.line, `series: "${get('series')}" is not a lower-case series name`);
    }
    date('created');
    if (rawVersion === '') continue;
    const m = /^(\d+(?:\.\d+)*)( LTS)?$/.exec(rawVersion);
    if (!m) throw malformedData(file, d.line, `version: "${rawVersion}" is not a release number such as 12 or 22.04 LTS`);
    const version = m[1] as string;
    const lts = m[2] !== undefined;
    const eol = date('eol');
    // Ubuntu LTS releases once had shorter desktop than server support (10.04: 2013 vs 2015);
    // Patchwise manages servers, so the later of the two is the standard end.
    const eolServer = distro === 'ubuntu' ? date('eol-server') : undefined;
    const supportEnd = eol && eolServer ? (eolServer > eol ? eolServer : eol) : (eol ?? eolServer);
    const extended: ExtendedPhase[] = [];
    for (const [column, phase] of Object.entries(EXTENDED)) {
      const end = date(column);
      if (end) extended.push({ ...phase, end });
    }
    extended.sort((a, b) => (a.end < b.end ? -1 : a.end > b.end ? 1 : 0));
    const name = distro === 'debian' ? 'Debian' : 'Ubuntu';
    out.push({
      osId: distro,
      version,
      codename: series,
      label: `${name} ${version}${lts ? ' LTS' : ''} (${series})`,
      released: date('release'),
      supportEnd,
      extended,
      source: file,
    });
  }
  return out;
}
