import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PatchwiseError } from '../errors/index.js';
import { parseDistroInfoCsv } from './distro-info-csv.js';
import { EOL_DATA_FILES, bundledEolData, loadEolData } from './eol-data.js';
import { parseSecuritySupportList } from './security-support-list.js';
import { parseAlpineCsv, parseEnterpriseLinuxCsv } from './vendor-lifecycles.js';

const real = (path: string): string => readFileSync(new URL(`./data/${path}`, import.meta.url), 'utf8');

/** The error thrown by fn, checked to be a typed PatchwiseError. */
function thrown(fn: () => unknown): PatchwiseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PatchwiseError);
    return err as PatchwiseError;
  }
  throw new Error('expected an error');
}

describe('bundled EOL data', () => {
  it('loads every file and covers the distributions it claims', () => {
    const data = bundledEolData();
    expect(data).toBe(bundledEolData());
    for (const key of ['debian:12', 'ubuntu:24.04', 'rhel:9', 'almalinux:9', 'rocky:9', 'centos:7', 'alpine:v3.22']) {
      expect(data.releases.has(key), key).toBe(true);
    }
    expect([...data.securitySupport.keys()]).toEqual(['10', '11', '12', '13']);
    expect(data.releases.has('debian:')).toBe(false);
  });
});

describe('malformed data names the file and line', () => {
  it('a damaged debian.csv row, through loadEolData', () => {
    const damaged = real('distro-info/debian.csv').replace('10,Buster,buster,2017-06-17,2019-07-06,2022-09-10', '10,Buster,buster,2017-06-17,2019-07-06,2022-09-31');
    const err = thrown(() => loadEolData((p) => (p === 'distro-info/debian.csv' ? damaged : real(p))));
    expect(err.code).toBe('PW_INPUT_MALFORMED');
    expect(err.message).toBe('distro-info/debian.csv: line 16: eol: "2022-09-31" is not a date of the form YYYY-MM-DD');
  });

  it('distro-info CSV: header, field count, version, quotes', () => {
    expect(thrown(() => parseDistroInfoCsv('version,name\n', 'x.csv', 'debian')).message).toBe('x.csv: line 1: header column 2 is "name", expected "codename"');
    const head = 'version,codename,series,created,release,eol\n';
    expect(thrown(() => parseDistroInfoCsv(`${head}12,B,bookworm\n`, 'x.csv', 'debian')).message).toMatch(/^x\.csv: line 2: has 3 fields; expected 4 to 6/);
    expect(thrown(() => parseDistroInfoCsv(`${head}12,B,bookworm,2021-08-14,2023-06-10,2026-07-11,2028-06-30\n`, 'x.csv', 'debian')).message).toMatch(/line 2: has 7 fields/);
    expect(thrown(() => parseDistroInfoCsv(`${head}\n# c\ntwelve,B,bookworm,2021-08-14\n`, 'x.csv', 'debian')).message).toBe(
      'x.csv: line 4: version: "twelve" is not a release number such as 12 or 22.04 LTS',
    );
    expect(thrown(() => parseDistroInfoCsv(`${head}"12",B,bookworm,2021-08-14\n`, 'x.csv', 'debian')).message).toMatch(/line 2: quoted fields/);
    expect(thrown(() => parseDistroInfoCsv('', 'x.csv', 'debian')).message).toMatch(/line 1: empty file/);
  });

  it('enterprise-linux.csv and alpine.csv', () => {
    const head = 'id,version,released,active_end,support_end,extended_end\n';
    expect(thrown(() => parseEnterpriseLinuxCsv(`${head}oracle,8,2019-07-18,2024-07-01,2029-07-01,\n`, 'el.csv')).message).toMatch(/^el\.csv: line 2: id: "oracle" is not one of rhel/);
    expect(thrown(() => parseEnterpriseLinuxCsv(`${head}rocky,8,2021-06-21,2024-05-31,2029-05-31,2032-01-01\n`, 'el.csv')).message).toMatch(/line 2: extended_end: only rhel/);
    expect(thrown(() => parseEnterpriseLinuxCsv(`${head}rhel,9,2022-05-17,2027-05-31\n`, 'el.csv')).message).toMatch(/line 2: has 4 fields; expected 6/);
    expect(thrown(() => parseAlpineCsv('branch,released,support_end\n3.18,2023-05-09,2025-05-09\n', 'alpine.csv')).message).toBe(
      'alpine.csv: line 2: branch: "3.18" is not of the form v3.18',
    );
    expect(thrown(() => parseAlpineCsv('branch,released\n', 'alpine.csv')).message).toMatch(/line 1: header is "branch,released"/);
  });

  it('security-support lists', () => {
    const list = 'security-support.deb11';
    expect(thrown(() => parseSecuritySupportList('# c\nfoo   maybe  text\n', list, 'unified')).message).toBe(
      'security-support.deb11: line 2: status: "maybe" is not one of non-supported, limited, supported',
    );
    expect(thrown(() => parseSecuritySupportList('foo non-supported 1.0-1\n', list, 'unified')).message).toMatch(/line 1: foo: a non-supported entry needs/);
    expect(thrown(() => parseSecuritySupportList('foo 1.0-1 2024-13-01 x\n', 'ended', 'ended')).message).toMatch(/line 1: date: "2024-13-01"/);
    expect(thrown(() => parseSecuritySupportList('foo|bar limited\n', list, 'unified')).message).toMatch(/line 1: "foo\|bar" is not a source package name/);
    expect(thrown(() => parseSecuritySupportList('foo** limited\n', list, 'unified')).message).toMatch(/line 1: "foo\*\*"/);
  });

  it('reads all three layouts', () => {
    expect(parseSecuritySupportList('a  non-supported 1.0-1  2024-01-02  see  #1\nb limited\nc supported why\n', 'f', 'unified').map((e) => [e.pattern, e.status, e.details ?? null, e.at])).toEqual([
      ['a', 'non-supported', 'see #1', 'f:1'],
      ['b', 'limited', null, 'f:2'],
      ['c', 'supported', 'why', 'f:3'],
    ]);
    expect(parseSecuritySupportList('x\t1.0\t\t2023-05-09\thttps://bugs.debian.org/1\n', 'f', 'ended')[0]).toMatchObject({ status: 'non-supported', lastVersion: '1.0', date: '2023-05-09' });
    expect(parseSecuritySupportList('hdf5   limited  Not covered\n', 'f', 'limited')[0]).toMatchObject({ status: 'limited', details: 'Not covered' });
  });

  it('every file named in EOL_DATA_FILES is bundled', () => {
    const paths = [...EOL_DATA_FILES.lifecycles.map((f) => f.path), ...EOL_DATA_FILES.securitySupport.flatMap((r) => r.files.map((f) => f.path))];
    for (const p of paths) expect(real(p).length, p).toBeGreaterThan(0);
  });
});
