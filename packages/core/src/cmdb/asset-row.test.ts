import { describe, expect, it } from 'vitest';
import { FieldProblem } from './asset-fields.js';
import { assetFromRow, type RowCells } from './asset-row.js';

const cell = (column: string, value: string, kind: 'plain' | 'tier' | 'criticality' = 'plain') => ({ column, value, kind });

function asset(cells: RowCells) {
  const out = assetFromRow(cells, {}, 's', 'line 2');
  if (!('asset' in out)) throw new Error('not expected');
  return out.asset;
}

function problem(cells: RowCells): string {
  try {
    assetFromRow(cells, {}, 's', 'line 2');
  } catch (e) {
    if (e instanceof FieldProblem) return e.message;
    throw e;
  }
  throw new Error('expected a problem');
}

describe('assetFromRow: hostname', () => {
  it('prefers the FQDN; a host name must be the FQDN or its first label', () => {
    expect(asset({ fqdn: cell('fqdn', 'Web01.Example.com'), hostname: cell('host_name', 'WEB01') }).hostname).toBe('web01.example.com');
    expect(asset({ fqdn: cell('fqdn', 'web01.example.com'), hostname: cell('host_name', 'web01.example.com') }).hostname).toBe('web01.example.com');
    expect(problem({ fqdn: cell('fqdn', 'web01.example.com'), hostname: cell('host_name', 'web02') })).toBe('host_name, fqdn: "web02" and "web01.example.com" name different hosts');
  });

  it('joins a short host name with ServiceNow dns_domain; a name that is already qualified keeps its own', () => {
    expect(asset({ hostname: cell('host_name', 'db1'), dns_domain: cell('dns_domain', 'prod.example.com') }).hostname).toBe('db1.prod.example.com');
    const kept = asset({ hostname: cell('host_name', 'db1.test.example.com'), dns_domain: cell('dns_domain', 'prod.example.com') });
    expect(kept.hostname).toBe('db1.test.example.com');
    expect(kept.extra).toEqual({ dns_domain: 'prod.example.com' });
  });

  it('the name column is the hostname only when nothing better is given, and then it must be one', () => {
    expect(asset({ name: cell('Name', 'srv-1') }).hostname).toBe('srv-1');
    expect(asset({ name: cell('name', 'Lab server (old)'), fqdn: cell('fqdn', 'lab1.example.com') }).extra).toEqual({ name: 'Lab server (old)' });
    expect(problem({ name: cell('name', 'Lab server (old)') })).toBe('name: "Lab server (old)" is not a host name');
  });
});

describe('assetFromRow: other fields', () => {
  it('owner: owner, else managed_by, else assigned_to; the others are kept', () => {
    const a = asset({ name: cell('name', 'a'), managed_by: cell('managed_by', 'Ops'), assigned_to: cell('assigned_to', 'Jane') });
    expect([a.owner, a.extra]).toEqual(['Ops', { assigned_to: 'Jane' }]);
    expect(asset({ name: cell('name', 'a'), assigned_to: cell('assigned_to', 'Jane') }).owner).toBe('Jane');
  });

  it('os and os_version are joined unless the name carries the version; a version alone is kept, not compared', () => {
    expect(asset({ name: cell('n', 'a'), os: cell('os', 'Linux Red Hat'), os_version: cell('os_version', '9.4') }).os).toBe('Linux Red Hat 9.4');
    expect(asset({ name: cell('n', 'a'), os: cell('os', 'Ubuntu 22.04'), os_version: cell('os_version', '22.04') }).os).toBe('Ubuntu 22.04');
    const versionOnly = asset({ name: cell('n', 'a'), os_version: cell('os_version', '9.4') });
    expect([versionOnly.os, versionOnly.extra]).toEqual([undefined, { os_version: '9.4' }]);
  });

  it('IP columns are read together, each with its prefix length dropped', () => {
    const a = asset({ ip: cell('IP Address', '192.0.2.1/24'), ipv4: cell('Primary IPv4', '192.0.2.1/24'), ipv6: cell('Primary IPv6', '2001:DB8::1/64') });
    expect(a.ips).toEqual(['192.0.2.1', '2001:db8::1']);
  });

  it('a status that is not in service leaves the row out before anything else is checked', () => {
    expect(assetFromRow({ name: cell('name', 'not a host!'), install_status: cell('install_status', '7') }, {}, 's', 'line 2')).toEqual({
      notExpected: { column: 'install_status', value: '7' },
    });
  });
});
