/**
 * Reads the two hand-written lifecycle tables bundled with Patchwise: enterprise-linux.csv
 * (RHEL, AlmaLinux, Rocky Linux, CentOS Linux, CentOS Stream) and alpine.csv. Both are plain CSV with `#` comment
 * headers that cite the vendor pages the facts come from.
 */
import { dataLines, isoDate, malformedData, splitPlainCsv } from './data-lines.js';
import type { DataLine } from './data-lines.js';
import type { ExtendedPhase, ReleaseLifecycle } from './types.js';

const ENTERPRISE_COLUMNS = ['id', 'version', 'released', 'active_end', 'support_end', 'extended_end'];
const ALPINE_COLUMNS = ['branch', 'released', 'support_end'];

/** Display names; also the set of ids enterprise-linux.csv may use. */
const ENTERPRISE_NAMES: Readonly<Record<string, string>> = {
  rhel: 'Red Hat Enterprise Linux',
  almalinux: 'AlmaLinux',
  rocky: 'Rocky Linux',
  centos: 'CentOS Linux',
  // os-release ID `centos` too; productOsId tells it apart by its name.
  'centos-stream': 'CentOS Stream',
};

/** Only Red Hat sells an extension past the standard end; the rebuilds publish none. */
const RHEL_ELS: Omit<ExtendedPhase, 'end'> = {
  name: 'ELS',
  provider: 'Red Hat Extended Life-cycle Support add-on',
  subscription: true,
};

/** Lifecycles from enterprise-linux.csv; PW_INPUT_MALFORMED naming `file` and line on bad rows. */
export function parseEnterpriseLinuxCsv(text: string, file: string): ReleaseLifecycle[] {
  return rows(text, file, ENTERPRISE_COLUMNS).map(({ d, f }) => {
    const [id = '', version = '', released = '', activeEnd = '', supportEnd = '', extendedEnd = ''] = f;
    const name = ENTERPRISE_NAMES[id];
    if (!name) throw malformedData(file, d.line, `id: "${id}" is not one of ${Object.keys(ENTERPRISE_NAMES).join(', ')}`);
    if (!/^\d+$/.test(version)) throw malformedData(file, d.line, `version: "${version}" is not a major release number`);
    const extended: ExtendedPhase[] = [];
    if (extendedEnd !== '') {
      if (id !== 'rhel') throw malformedData(file, d.line, `extended_end: only rhel has a published extension (ELS)`);
      extended.push({ ...RHEL_ELS, end: isoDate(extendedEnd, file, d.line, 'extended_end') });
    }
    return {
      osId: id,
      version,
      label: `${name} ${version}`,
      released: isoDate(released, file, d.line, 'released'),
      activeEnd: isoDate(activeEnd, file, d.line, 'active_end'),
      supportEnd: isoDate(supportEnd, file, d.line, 'support_end'),
      extended,
      source: file,
    };
  });
}

/** Lifecycles from alpine.csv (one per stable branch, `v3.18`). */
export function parseAlpineCsv(text: string, file: string): ReleaseLifecycle[] {
  return rows(text, file, ALPINE_COLUMNS).map(({ d, f }) => {
    const [branch = '', released = '', supportEnd = ''] = f;
    if (!/^v\d+\.\d+$/.test(branch)) throw malformedData(file, d.line, `branch: "${branch}" is not of the form v3.18`);
    return {
      osId: 'alpine',
      version: branch,
      label: `Alpine Linux ${branch}`,
      released: isoDate(released, file, d.line, 'released'),
      supportEnd: isoDate(supportEnd, file, d.line, 'support_end'),
      extended: [],
      source: file,
    };
  });
}

/** Data rows after a header that must equal `columns`; every row must have exactly that many fields. */
function rows(text: string, file: string, columns: readonly string[]): { d: DataLine; f: string[] }[] {
  const lines = dataLines(text);
  const head = lines[0];
  if (!head) throw malformedData(file, 1, `empty file; expected the header ${columns.join(',')}`);
  const got = splitPlainCsv(head, file).map((c) => c.toLowerCase());
  if (got.join(',') !== columns.join(',')) {
    throw malformedData(file, head.line, `header is "${got.join(',')}", expected "${columns.join(',')}"`);
  }
  return lines.slice(1).map((d) => {
    const f = splitPlainCsv(d, file);
    if (f.length !== columns.length) {
      throw malformedData(file, d.line, `has ${f.length} fields; expected ${columns.length} (${columns.join(',')})`);
    }
    return { d, f };
  });
}
