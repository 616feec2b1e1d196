import { describe, expect, it } from 'vitest';
import { PatchwiseError } from '../errors/index.js';
import { readCsv } from './csv-reader.js';

describe('readCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks; CRLF and LF; records the start line', () => {
    const text = '\ufeffa,b,c\r\n"x, y","say ""hi""","two\nlines"\n\nlast,,"" \n'.replace(' \n', '\n');
    expect(readCsv(text, 't.csv')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { line: 5, fields: ['last', '', ''] },
    ]);
  });

  it('numbers lines across blank lines and quoted CRLF breaks', () => {
    expect(readCsv('a\r\n\r\n\r\n"m\r\nn",x\r\nz,y', 't.csv')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 4, fields: ['m\nn', 'x'] },
      { line: 6, fields: ['z', 'y'] },
    ]);
  });

  it('keeps a last record without a line break, and empty fields', () => {
    expect(readCsv('a,b\n,', 't.csv')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['', ''] },
    ]);
  });

  it.each([
    ['a,b\n"open,x\n', 'line 2: a quoted field is never closed'],
    ['a,b\n"x"y,z\n', 'line 2: text after a closing quote'],
    ['a,b\nx,y"z\n', 'line 2: a quote inside an unquoted field'],
  ])('refuses broken quoting: %j', (text, message) => {
    try {
      readCsv(text, 'cmdb.csv');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PatchwiseError);
      expect((err as PatchwiseError).code).toBe('PW_INPUT_MALFORMED');
      expect((err as PatchwiseError).message).toMatch(new RegExp(`^cmdb\\.csv: ${message.replace(/[()]/g, '\\$&')}`));
    }
  });

  it('reads CR-only records (Excel "CSV (Macintosh)") with their line numbers', () => {
    expect(readCsv('hostname,tier\rweb01,1\r\r"a\rb",2\r', 't.csv')).toEqual([
      { line: 1, fields: ['hostname', 'tier'] },
      { line: 2, fields: ['web01', '1'] },
      { line: 4, fields: ['a\nb', '2'] },
    ]);
  });

  it.each([
    ['semicolons', 'hostname;ip;owner\nweb01;10.0.0.1;"Smith; John"\n'],
    ['tabs', 'hostname\tip\towner\nweb01\t10.0.0.1\t"Smith; John"\n'],
  ])('takes the separator the header uses: %s', (_name, text) => {
    expect(readCsv(text, 't.csv')).toEqual([
      { line: 1, fields: ['hostname', 'ip', 'owner'] },
      { line: 2, fields: ['web01', '10.0.0.1', 'Smith; John'] },
    ]);
  });

  it("keeps commas inside fields when the header uses semicolons, and a comma header's semicolons", () => {
    expect(readCsv('hostname;owner\nweb01;Smith, John\n', 't.csv')[1]?.fields).toEqual(['web01', 'Smith, John']);
    expect(readCsv('hostname,ip\nweb01,"10.0.0.1;10.0.0.2"\n', 't.csv')[1]?.fields).toEqual(['web01', '10.0.0.1;10.0.0.2']);
  });

  it("honours Excel's sep= first line, which still counts as a line", () => {
    expect(readCsv('\ufeffsep=;\r\nhostname;tier\r\nweb01,x;1\r\n', 't.csv')).toEqual([
      { line: 2, fields: ['hostname', 'tier'] },
      { line: 3, fields: ['web01,x', '1'] },
    ]);
  });
});
