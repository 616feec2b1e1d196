import { describe, expect, it } from 'vitest';
import { PatchwiseError } from '../errors/index.js';
import { parseCmdbAssets } from './parse-cmdb-assets.js';

const messages = (r: { problems: PatchwiseError[] }): string[] => r.problems.map((p) => p.message);

describe('parseCmdbAssets: CSV', () => {
  it('reads every field, case-insensitive headers, aliases, and keeps unknown columns as extra', () => {
    const csv = [
      'Hostname,Machine-ID,Serial Number,IP,TIER,owner,Environment,OS,Rack',
      'Web01.Example.COM.,4C4C4544-0042-3510-8048-B4C04F4A4D32,abc123,"10.0.0.5; 2001:DB8::1",T1,Team Web,prod,Debian 12,R7',
    ].join('\n');
    const { assets, problems } = parseCmdbAssets(csv, 'cmdb.csv');
    expect(problems).toEqual([]);
    expect(assets).toEqual([
      {
        source: 'cmdb.csv',
        location: 'line 2',
        hostname: 'web01.example.com',
        machineId: '4c4c4544004235108048b4c04f4a4d32',
        serial: 'ABC123',
        ips: ['10.0.0.5', '2001:db8::1'],
        tier: 1,
        owner: 'Team Web',
        environment: 'prod',
        os: 'Debian 12',
        extra: { Rack: 'R7' },
      },
    ]);
  });

  it('an asset needs one identifier; empty fields are "not recorded"', () => {
    const r = parseCmdbAssets('hostname,serial,ip,owner\n,,,alice\n,To Be Filled By O.E.M.,,bob\n,,10.1.1.1,carol\n', 'cmdb.csv');
    expect(r.assets.map((a) => a.ips)).toEqual([['10.1.1.1']]);
    expect(messages(r)).toEqual([
      'cmdb.csv: line 2: hostname, machine_id, serial, ip: at least one identifier is required',
      'cmdb.csv: line 3: hostname, machine_id, serial, ip: at least one identifier is required (serial "To Be Filled By O.E.M." is a vendor placeholder)',
    ]);
  });

  it('every bad row is a PW_INPUT_INVALID naming source, line and field; good rows still load', () => {
    const csv = [
      'hostname,machine_id,serial,ip,tier,owner',
      'ok1,,,,2,',
      'bad host,,,,,',
      'h3,123,,,,',
      'h4,,,10.0.0.300,,',
      'h5,,,,5,',
      'h6,,"a\u0001b",,,',
      'h7,,,,,"two\nlines"',
      'h9,,,',
      'ok2,,,,tier 3,',
    ].join('\n');
    const r = parseCmdbAssets(csv, 'cmdb.csv');
    expect(r.assets.map((a) => [a.hostname, a.tier])).toEqual([
      ['ok1', 2],
      ['ok2', 3],
    ]);
    expect(r.problems.every((p) => p.code === 'PW_INPUT_INVALID')).toBe(true);
    expect(messages(r)).toEqual([
      'cmdb.csv: line 3: hostname: "bad host" is not a host name',
      'cmdb.csv: line 4: machine_id: "123" is not a machine id (32 hexadecimal digits, not all zero)',
      'cmdb.csv: line 5: ip: "10.0.0.300" is not an IP address',
      'cmdb.csv: line 6: tier: must be 0–3, got "5"',
      'cmdb.csv: line 7: serial: "a\u0001b" is not a serial number (printable ASCII, at most 128 characters)',
      'cmdb.csv: line 8: owner: must be one line of at most 256 characters',
      'cmdb.csv: line 10: has 4 fields; the header has 6',
    ]);
  });

  it('whole-file faults throw', () => {
    const err = (text: string): PatchwiseError => {
      try {
        parseCmdbAssets(text, 'cmdb.csv');
      } catch (e) {
        return e as PatchwiseError;
      }
      throw new Error('expected an error');
    };
    expect(err('').message).toMatch(/^cmdb\.csv: no header row/);
    expect(err('hostname,HostName\n').message).toBe('cmdb.csv: line 1: header: columns 1 "hostname" and 2 "HostName" are the same name');
    expect(err('ip,ips\n').message).toBe('cmdb.csv: line 1: header: columns 1 "ip" and 2 "ips" both give ip; keep one');
    expect(err('hostname,\n').message).toBe('cmdb.csv: line 1: header: column 2 has no name');
    expect(err('hostname\n"x\n').code).toBe('PW_INPUT_MALFORMED');
  });
});

describe('parseCmdbAssets: spreadsheet variants', () => {
  it.each([
    ['CR-only (Excel "CSV (Macintosh)")', 'hostname,tier\rweb01,1\rweb02,2\r'],
    ['semicolons', 'hostname;tier\nweb01;1\nweb02;2\n'],
    ['tabs', 'hostname\ttier\nweb01\t1\nweb02\t2\n'],
    ["Excel's sep= line", 'sep=;\r\nhostname;tier\r\nweb01;1\r\nweb02;2\r\n'],
  ])('reads %s', (_name, text) => {
    const r = parseCmdbAssets(text, 'cmdb.csv');
    expect(r.problems).toEqual([]);
    expect(r.assets.map((a) => [a.hostname, a.tier])).toEqual([
      ['web01', 1],
      ['web02', 2],
    ]);
  });
});

describe('parseCmdbAssets: JSON', () => {
  it('reads an array or { assets: [...] }, ip as string or array, tier as number or string', () => {
    const a = parseCmdbAssets('[{"HOSTNAME":"db1","ip":["10.0.0.1","10.0.0.2"],"tier":0,"site":{"dc":"fra"}}]', 'cmdb.json');
    expect(a.assets[0]).toMatchObject({ location: '[0]', hostname: 'db1', ips: ['10.0.0.1', '10.0.0.2'], tier: 0, extra: { site: { dc: 'fra' } } });
    const b = parseCmdbAssets('{"assets":[{"serial":"X1","tier":"2","owner":null}]}', 'export');
    expect(b.assets[0]).toMatchObject({ location: 'assets[0]', serial: 'X1', tier: 2, owner: undefined });
  });

  it('bad items name their index and field', () => {
    const r = parseCmdbAssets('{"assets":[{"hostname":1},{"ip":[1]},{"tier":7},"x",{"serial":"S"}]}', 'cmdb.json');
    expect(r.assets).toHaveLength(1);
    expect(messages(r)).toEqual([
      'cmdb.json: assets[0]: hostname: must be a string',
      'cmdb.json: assets[1]: ip: must be a string or an array of strings',
      'cmdb.json: assets[2]: tier: must be 0–3, got "7"',
      'cmdb.json: assets[3]: asset: must be an object',
    ]);
    // Keys are mapped for the whole file, so two spellings of one field are refused once, by name.
    expect(() => parseCmdbAssets('[{"ip":"10.0.0.1"},{"ips":["10.0.0.2"]}]', 'cmdb.json')).toThrow('cmdb.json: [*]: keys "ip" and "ips" both give ip; keep one');
  });

  it('reads JSON saved with a UTF-8 byte-order mark, named .json or not', () => {
    expect(parseCmdbAssets('\ufeff[{"hostname":"db1"}]', 'cmdb.json').assets).toMatchObject([{ hostname: 'db1' }]);
    expect(parseCmdbAssets('\ufeff{"assets":[{"hostname":"db1"}]}', 'export').assets).toMatchObject([{ hostname: 'db1' }]);
  });

  it('a document that is not a list of assets throws', () => {
    expect(() => parseCmdbAssets('{"hosts":[]}', 'cmdb.json')).toThrow(/cmdb\.json: expected an array of assets/);
    expect(() => parseCmdbAssets('[{', 'cmdb.json')).toThrow(PatchwiseError);
  });
});
