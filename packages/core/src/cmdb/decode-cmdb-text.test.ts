import { describe, expect, it } from 'vitest';
import { PatchwiseError } from '../errors/index.js';
import { decodeCmdbText } from './decode-cmdb-text.js';
import { parseCmdbAssets } from './parse-cmdb-assets.js';

const csv = 'hostname;owner\r\nweb01;Zoë Müller\r\n';

function refusal(bytes: Uint8Array): PatchwiseError {
  try {
    decodeCmdbText(bytes, 'cmdb.csv');
  } catch (err) {
    expect(err).toBeInstanceOf(PatchwiseError);
    return err as PatchwiseError;
  }
  return expect.unreachable();
}

describe('decodeCmdbText', () => {
  it('decodes UTF-8 and drops its byte-order mark', () => {
    expect(decodeCmdbText(Buffer.from(`\ufeff${csv}`, 'utf8'), 'cmdb.csv')).toBe(csv);
    expect(decodeCmdbText(Buffer.from(csv, 'utf8'), 'cmdb.csv')).toBe(csv);
  });

  it('decodes UTF-16 (Excel "Unicode Text") in either byte order by its byte-order mark', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]);
    const be = Buffer.from(le.subarray(2)).swap16();
    expect(decodeCmdbText(le, 'cmdb.csv')).toBe(csv);
    expect(decodeCmdbText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'cmdb.csv')).toBe(csv);
    expect(parseCmdbAssets(decodeCmdbText(le, 'cmdb.csv'), 'cmdb.csv').assets).toMatchObject([{ hostname: 'web01', owner: 'Zoë Müller' }]);
  });

  it('refuses Windows-1252 bytes, naming the encoding and the line, instead of garbling names', () => {
    const cp1252 = Buffer.concat([Buffer.from('hostname,owner\r\nweb01,ops\r\nweb02,Zo'), Buffer.from([0xeb]), Buffer.from(' M\r\n')]);
    const err = refusal(cp1252);
    expect(err.code).toBe('PW_INPUT_MALFORMED');
    expect(err.message).toBe('cmdb.csv: line 3: not valid UTF-8 (a legacy encoding such as Windows-1252?); save it as UTF-8');
    // CR-only line ends count the same.
    expect(refusal(Buffer.concat([Buffer.from('a\rb\r'), Buffer.from([0x96])])).message).toMatch(/^cmdb\.csv: line 3: not valid UTF-8/);
  });

  it('refuses UTF-16 without a byte-order mark rather than reading NULs', () => {
    expect(refusal(Buffer.from('hostname\r\nweb01\r\n', 'utf16le')).message).toMatch(/^cmdb\.csv: line 1: contains NUL characters \(UTF-16 without a byte-order mark\?\)/);
  });
});
