import { describe, expect, it } from 'vitest';
import { columnOf, mapColumns, normalizeHeader } from './column-map.js';

describe('column map', () => {
  it('compares headers without case, spaces, underscores, hyphens or punctuation', () => {
    expect(['Host Name', 'host_name', 'HOST-NAME', 'Hostname'].map((h) => columnOf(h)?.slot)).toEqual(['hostname', 'hostname', 'hostname', 'hostname']);
    expect(normalizeHeader(' Serial No. ')).toBe('serial_no');
    expect(columnOf('Serial No.')?.slot).toBe('serial');
    expect(columnOf('Primary IPv4')?.slot).toBe('ipv4');
    expect(columnOf('busines_criticality')).toEqual({ slot: 'tier', kind: 'criticality', display: false });
    expect(columnOf('dv_owned_by')).toEqual({ slot: 'owner', kind: 'plain', display: true });
    expect(columnOf('Rack')).toBeUndefined();
  });

  it('lists the columns it does not read, once each, in file order', () => {
    const m = mapColumns(['Name', 'Site', 'Rack', 'fqdn', 'Comments'], 'x.csv', 'line 1: header');
    expect(m.unused).toEqual(['Site', 'Rack', 'Comments']);
    expect(m.byIndex.map((c) => c?.slot)).toEqual(['name', undefined, undefined, 'fqdn', undefined]);
  });

  it('a value and its ServiceNow display twin are one field, not a conflict', () => {
    expect(() => mapColumns(['owned_by', 'dv_owned_by'], 'x.json', '[*]', 'key')).not.toThrow();
    expect(() => mapColumns(['owned_by', 'owner'], 'x.json', '[*]', 'key')).toThrow('x.json: [*]: keys "owned_by" and "owner" both give owner; keep one');
  });

  it('refuses a header that joins two of our fields, but not one that merely contains a word', () => {
    expect(() => mapColumns(['Owner and Environment'], 'x.csv', 'line 1: header')).toThrow('column 1 "Owner and Environment" could hold owner or environment');
    expect(mapColumns(['Notes/Comments'], 'x.csv', 'line 1: header').unused).toEqual(['Notes/Comments']);
  });
});
