/**
 * One test per export form people actually have. The fixtures are written here, small and made
 * up (example.com names, documentation addresses); each follows the layout its comment cites.
 */
import { describe, expect, it } from 'vitest';
import { parseCmdbAssets } from './parse-cmdb-assets.js';

const messages = (r: { problems: Error[] }): string[] => r.problems.map((p) => p.message);

describe('ServiceNow', () => {
  // A list export of cmdb_ci_server (List v2: right-click the header → Export → CSV). Headers are
  // element names; choice and reference fields export their display values. Column set from the
  // cmdb_ci_server / cmdb_ci_computer dictionary (ServiceNow "CMDB table properties"), including
  // the dictionary's own spelling `busines_criticality`.
  const serverCsv = [
    '"name","fqdn","host_name","serial_number","ip_address","os","os_version","owned_by","managed_by","assigned_to","u_environment","install_status","operational_status","sys_class_name","busines_criticality","sys_id"',
    '"web01","web01.prod.example.com","web01","VMware-42 1a 2b 3c","192.0.2.10","Linux Red Hat","9.4","","Web Team","Jane Doe","Production","Installed","Operational","cmdb_ci_linux_server","1 - most critical","0b1e2f3a4c5d6e7f8091a2b3c4d5e6f7"',
    '"web01 (test)","web01.test.example.com","","CZ1234ABCD","192.0.2.11","Linux Ubuntu","22.04","Ops","","","Test","In Maintenance","Repair in Progress","cmdb_ci_linux_server","3 - less critical","1b1e2f3a4c5d6e7f8091a2b3c4d5e6f7"',
    '"db-old","db-old.prod.example.com","","","192.0.2.12","Linux Red Hat","7.9","","","","Production","Retired","Retired","cmdb_ci_linux_server","2 - somewhat critical","2b1e2f3a4c5d6e7f8091a2b3c4d5e6f7"',
    '"spare","","","CZ999","","","","","","","","In Stock","","cmdb_ci_computer","4 - not critical","3b1e2f3a4c5d6e7f8091a2b3c4d5e6f7"',
  ].join('\r\n');

  it('reads a cmdb_ci_server CSV list export: FQDN as hostname, owner fallbacks, OS and version joined, retired and in-stock CIs left out', () => {
    const r = parseCmdbAssets(serverCsv, 'cmdb_ci_server.csv');
    expect(messages(r)).toEqual([]);
    expect(r.assets).toEqual([
      {
        source: 'cmdb_ci_server.csv',
        location: 'line 2',
        hostname: 'web01.prod.example.com',
        machineId: undefined,
        serial: 'VMWARE-42 1A 2B 3C',
        ips: ['192.0.2.10'],
        tier: 0,
        owner: 'Web Team',
        environment: 'Production',
        os: 'Linux Red Hat 9.4',
        // The display name beside an FQDN, the fallback owner not used, and the columns we do not read.
        extra: { name: 'web01', assigned_to: 'Jane Doe', sys_class_name: 'cmdb_ci_linux_server', sys_id: '0b1e2f3a4c5d6e7f8091a2b3c4d5e6f7' },
      },
      expect.objectContaining({ location: 'line 3', hostname: 'web01.test.example.com', tier: 2, owner: 'Ops', environment: 'Test', os: 'Linux Ubuntu 22.04' }),
    ]);
    expect(r.notExpected).toEqual([
      { location: 'line 4', column: 'install_status', value: 'Retired' },
      { location: 'line 5', column: 'install_status', value: 'In Stock' },
    ]);
    expect(r.unusedColumns).toEqual(['sys_class_name', 'sys_id']);
  });

  it('reads the same list exported with labels as headers (Excel export)', () => {
    const csv = [
      'Name,Fully qualified domain name,Serial number,IP Address,Operating System,OS Version,Owned by,Status,Operational status,Business criticality,Class',
      'app07,app07.example.com,SN-7,192.0.2.7,Linux Debian,12,App Team,Installed,DR Standby,2 - somewhat critical,Linux Server',
      'app08,app08.example.com,SN-8,192.0.2.8,Linux Debian,12,App Team,Pending Install,Ready,2 - somewhat critical,Linux Server',
    ].join('\n');
    const r = parseCmdbAssets(csv, 'servers.csv');
    expect(messages(r)).toEqual([]);
    expect(r.assets).toMatchObject([{ hostname: 'app07.example.com', serial: 'SN-7', tier: 1, owner: 'App Team', os: 'Linux Debian 12' }]);
    expect(r.notExpected).toEqual([{ location: 'line 3', column: 'Status', value: 'Pending Install' }]);
    expect(r.unusedColumns).toEqual(['Class']);
  });

  // JSONv2 (…/cmdb_ci_server.do?JSONv2&sysparm_action=getRecords&displayvalue=all): records in a
  // "records" array, choice fields as stored values, reference fields as sys_ids with the display
  // value beside them as `dv_<field>` (ServiceNow "JSON Data Retrieval API").
  const jsonV2 = JSON.stringify({
    records: [
      {
        name: 'mail01', fqdn: 'mail01.example.com', host_name: 'mail01', serial_number: 'SRV-0001', ip_address: '192.0.2.20',
        os: 'Linux SuSE', os_version: '15', owned_by: '5137153cc611227c000bbd1bd8cd2005', dv_owned_by: 'Mail Team',
        environment: 'Production', install_status: '1', operational_status: '1', busines_criticality: '2 - somewhat critical',
        sys_class_name: 'cmdb_ci_linux_server', sys_id: 'aa1e2f3a4c5d6e7f8091a2b3c4d5e6f7',
      },
      { name: 'mail02', install_status: '7', operational_status: '6', owned_by: '', dv_owned_by: '' },
      { name: 'mail03', install_status: '1', operational_status: '2' },
    ],
  });

  it('reads a JSONv2 export ({"records": [...]}): stored choice values, dv_ display values over sys_ids', () => {
    const r = parseCmdbAssets(jsonV2, 'cmdb_ci_server.json');
    expect(messages(r)).toEqual([]);
    expect(r.assets).toMatchObject([{ location: 'records[0]', hostname: 'mail01.example.com', owner: 'Mail Team', tier: 1, os: 'Linux SuSE 15', environment: 'Production' }]);
    expect(r.notExpected).toEqual([
      { location: 'records[1]', column: 'install_status', value: '7' },
      { location: 'records[2]', column: 'operational_status', value: '2' },
    ]);
  });

  it('refuses a sys_id where a name belongs, saying how to export display values', () => {
    const r = parseCmdbAssets(JSON.stringify({ records: [{ name: 'mail01', owned_by: '5137153cc611227c000bbd1bd8cd2005' }] }), 'cmdb_ci_server.json');
    expect(messages(r)).toEqual([
      'cmdb_ci_server.json: records[0]: owned_by: "5137153cc611227c000bbd1bd8cd2005" is a ServiceNow sys_id, not a name; export display values (JSONv2: displayvalue=true; Table API: sysparm_display_value=true)',
    ]);
  });

  // Table API (GET /api/now/table/cmdb_ci_computer?sysparm_display_value=all): a "result" array,
  // each field an object with display_value and value (ServiceNow REST API reference, Table API).
  it('reads a Table API reply ({"result": [...]}) with display_value objects', () => {
    const text = JSON.stringify({
      result: [
        {
          name: { display_value: 'lab-01', value: 'lab-01' },
          serial_number: { display_value: 'PF3ABCDE', value: 'PF3ABCDE' },
          assigned_to: { display_value: 'Sam Lee', value: '6816f79cc0a8016401c5a33be04be441', link: 'https://example.service-now.com/api/now/table/sys_user/6816f79cc0a8016401c5a33be04be441' },
          install_status: { display_value: 'Installed', value: '1' },
          busines_criticality: { display_value: '4 - not critical', value: '4 - not critical' },
        },
      ],
    });
    const r = parseCmdbAssets(text, 'computers.json');
    expect(messages(r)).toEqual([]);
    expect(r.assets).toMatchObject([{ location: 'result[0]', hostname: 'lab-01', serial: 'PF3ABCDE', owner: 'Sam Lee', tier: 3 }]);
  });
});

describe('NetBox', () => {
  // dcim/devices list → Export → "Current view" / "All data (CSV)": column titles as headers,
  // choice columns as labels, primary IPs with their prefix length (netbox-community/netbox,
  // dcim/tables/devices.py; models' verbose names "Serial number", "Primary IPv4").
  it('reads a dcim/devices CSV export: prefix lengths dropped, Tenant as owner, Platform as OS, inactive statuses left out', () => {
    const csv = [
      'ID,Name,Status,Tenant,Site,Rack,Role,Manufacturer,Type,Platform,Serial number,Asset tag,IP Address,Primary IPv4,Primary IPv6,OOB IP',
      '11,srv-a1,Active,Payments,fra1,R01,Server,Dell,R650,Ubuntu 22.04,7XK2L93,A-0001,192.0.2.31/24,192.0.2.31/24,2001:db8::31/64,198.51.100.31/24',
      '12,srv-a2,Offline,Payments,fra1,R01,Server,Dell,R650,Ubuntu 22.04,7XK2L94,,,,,',
      '13,srv-a3,Planned,Payments,fra1,R02,Server,Dell,R650,,,,,,,',
      '14,srv-a4,Decommissioning,Payments,fra1,R02,Server,Dell,R650,,,,,,,',
      '15,srv-a5,Failed,Payments,fra1,R02,Server,Dell,R650,Debian 12,7XK2L97,,,192.0.2.35/24,,',
    ].join('\n');
    const r = parseCmdbAssets(csv, 'netbox_devices.csv');
    expect(messages(r)).toEqual([]);
    expect(r.assets).toMatchObject([
      { hostname: 'srv-a1', serial: '7XK2L93', ips: ['192.0.2.31', '2001:db8::31'], owner: 'Payments', os: 'Ubuntu 22.04', extra: { 'OOB IP': '198.51.100.31/24', Role: 'Server' } },
      { hostname: 'srv-a5', ips: ['192.0.2.35'], os: 'Debian 12' },
    ]);
    expect(r.notExpected.map((n) => n.value)).toEqual(['Offline', 'Planned', 'Decommissioning']);
    // The out-of-band (BMC) address is not the host's own, so it is not read as one.
    expect(r.unusedColumns).toEqual(['ID', 'Site', 'Rack', 'Role', 'Manufacturer', 'Type', 'Asset tag', 'OOB IP']);
  });

  // virtualization/virtual-machines list export (virtualization/tables/virtualmachines.py).
  it('reads a virtualization/virtual-machines CSV export', () => {
    const csv = [
      'Name,Status,Site,Cluster,Role,Tenant,Platform,vCPUs,Memory (MB),Disk (GB),IP Address',
      'vm-build-01,Active,fra1,kvm-a,CI runner,Platform Team,AlmaLinux 9,4,8192,80,2001:db8:0:1::5/64',
      'vm-build-02,Staged,fra1,kvm-a,CI runner,Platform Team,AlmaLinux 9,4,8192,80,',
    ].join('\n');
    const r = parseCmdbAssets(csv, 'netbox_vms.csv');
    expect(messages(r)).toEqual([]);
    expect(r.assets).toMatchObject([{ hostname: 'vm-build-01', ips: ['2001:db8:0:1::5'], owner: 'Platform Team', os: 'AlmaLinux 9' }]);
    expect(r.notExpected).toEqual([{ location: 'line 3', column: 'Status', value: 'Staged' }]);
  });

  it('names the row, column and value of a status it does not know, and of a malformed prefix', () => {
    const r = parseCmdbAssets('Name,Status,Primary IPv4\nsrv-1,Burning,\nsrv-2,Active,192.0.2.1/40\nsrv-3,Active,2001:db8::1/64\n', 'netbox.csv');
    expect(messages(r)).toEqual([
      'netbox.csv: line 2: Status: "Burning" is not a known status; see docs/cmdb.md for the statuses read as expected and not expected',
      'netbox.csv: line 3: Primary IPv4: "192.0.2.1/40" has a prefix length over 32',
      'netbox.csv: line 4: Primary IPv4: "2001:db8::1/64" is not an IPv4 address',
    ]);
  });
});

describe('spreadsheets people keep', () => {
  it('reads human headers in any case and punctuation', () => {
    const csv = [
      'Host Name;FQDN;Serial No.;IP Address;Operating System;OS Version;Owner;Environment;Criticality;Room',
      'ERP01;erp01.corp.example.com;SN 42;192.0.2.50;Windows Server 2022;;Finance IT;prod;Mission-Critical;B2',
      'erp02;;;192.0.2.51;Debian 12;12;Finance IT;prod;Low;B2',
    ].join('\r\n');
    const r = parseCmdbAssets(csv, 'servers.csv');
    expect(messages(r)).toEqual([]);
    expect(r.assets).toMatchObject([
      { hostname: 'erp01.corp.example.com', serial: 'SN 42', os: 'Windows Server 2022', tier: 0, extra: { Room: 'B2' } },
      { hostname: 'erp02', os: 'Debian 12', tier: 3 },
    ]);
    expect(r.unusedColumns).toEqual(['Room']);
  });

  it('names the row, column and value of a criticality it cannot map', () => {
    const r = parseCmdbAssets('Hostname,Criticality\na,5 - catastrophic\nb,2\nc,tier 2\n', 'servers.csv');
    expect(r.assets.map((a) => a.tier)).toEqual([2]);
    expect(messages(r)).toEqual([
      'servers.csv: line 2: Criticality: "5 - catastrophic" is not a criticality: expected 1 - most critical … 4 - not critical, critical/high/medium/low, or tier 0–3',
      'servers.csv: line 3: Criticality: "2" is not a criticality: a bare number is ambiguous here (ServiceNow 1 = most critical = tier 0); write "1 - most critical" or "tier 1"',
    ]);
  });

  it('refuses two columns for one field, and a header joining two fields, naming them', () => {
    expect(() => parseCmdbAssets('Hostname,Host Name\na,a\n', 'x.csv')).toThrow('x.csv: line 1: header: columns 1 "Hostname" and 2 "Host Name" both give hostname; keep one');
    expect(() => parseCmdbAssets('name,Tier,Criticality\na,1,high\n', 'x.csv')).toThrow('x.csv: line 1: header: columns 2 "Tier" and 3 "Criticality" both give tier; keep one');
    expect(() => parseCmdbAssets('environment,u_environment\n', 'x.csv')).toThrow('columns 1 "environment" and 2 "u_environment" both give environment');
    expect(() => parseCmdbAssets('Hostname/IP,Owner\n', 'x.csv')).toThrow('x.csv: line 1: header: column 1 "Hostname/IP" could hold hostname or ip; give each its own column');
  });
});
