/**
 * Which column of a CMDB export feeds which input of an asset. Real exports do not use our
 * names: ServiceNow writes its element names (`serial_number`, `busines_criticality`) or their
 * labels (`Serial number`, `Business criticality`), NetBox its column titles (`Primary IPv4`),
 * spreadsheets whatever people typed (`Serial No.`). Headers are compared after lower-casing and
 * turning every run of other characters into one `_`, then looked up in one alias table.
 *
 * A slot is one input, not one asset field: `fqdn`, `hostname` and `name` are three slots that
 * combine into the asset's hostname by a rule (asset-row.ts), because a ServiceNow export carries
 * all three and refusing it would refuse every ServiceNow export. Two columns for one slot are
 * refused by name, since picking one would be a guess. Pure; docs/cmdb.md lists the table.
 */
import { PatchwiseError } from '../errors/index.js';

/** The inputs an export row can feed, before they are combined into a CmdbAsset. */
export const SLOTS = [
  'hostname', 'fqdn', 'name', 'dns_domain', 'machine_id', 'serial', 'ip', 'ipv4', 'ipv6',
  'tier', 'owner', 'managed_by', 'assigned_to', 'environment', 'os', 'os_version',
  'status', 'install_status', 'operational_status',
] as const;
export type Slot = (typeof SLOTS)[number];

/** How a column's values read: a tier column takes `1` as tier 1, a criticality column refuses bare numbers. */
export type ColumnKind = 'plain' | 'tier' | 'criticality';

export interface MappedColumn {
  /** The header as written (trimmed), used in messages and as the `extra` key. */
  readonly name: string;
  readonly slot: Slot;
  readonly kind: ColumnKind;
  /** ServiceNow's `dv_` twin (JSONv2 with displayvalue=all): the readable value, preferred over the sys_id. */
  readonly display: boolean;
}

export interface ColumnMap {
  /** Columns we read, by position in the header (undefined: not read). */
  readonly byIndex: readonly (MappedColumn | undefined)[];
  /** Columns we do not interpret, by their name as written: kept in `extra`, named once as a warning. */
  readonly unused: readonly string[];
}

/**
 * Normalised header → slot. Sources: ServiceNow cmdb_ci_server / cmdb_ci_computer element names
 * and their labels (ServiceNow product documentation, "CMDB table properties"); NetBox
 * dcim/devices and virtualization/virtual-machines table column titles (netbox-community/netbox,
 * dcim/tables/devices.py, virtualization/tables/virtualmachines.py); common spreadsheet spellings.
 */
const ALIASES: Readonly<Record<string, Slot | [Slot, ColumnKind]>> = {
  hostname: 'hostname',
  host_name: 'hostname',
  // Not `host`: in VM inventories (RVTools, vSphere exports) it names the hypervisor.
  fqdn: 'fqdn',
  fully_qualified_domain_name: 'fqdn',
  name: 'name',
  device_name: 'name',
  server_name: 'name',
  computer_name: 'name',
  dns_domain: 'dns_domain',
  machine_id: 'machine_id',
  machineid: 'machine_id',
  serial: 'serial',
  serial_number: 'serial',
  serialnumber: 'serial',
  serial_no: 'serial',
  serial_num: 'serial',
  ip: 'ip',
  ips: 'ip',
  ip_address: 'ip',
  ip_addresses: 'ip',
  primary_ip: 'ip',
  ipv4: 'ipv4',
  ipv4_address: 'ipv4',
  primary_ipv4: 'ipv4',
  primary_ip4: 'ipv4',
  ipv6: 'ipv6',
  ipv6_address: 'ipv6',
  primary_ipv6: 'ipv6',
  primary_ip6: 'ipv6',
  tier: ['tier', 'tier'],
  criticality: ['tier', 'criticality'],
  business_criticality: ['tier', 'criticality'],
  // ServiceNow's element name is spelled this way in every release.
  busines_criticality: ['tier', 'criticality'],
  owner: 'owner',
  owned_by: 'owner',
  tenant: 'owner',
  managed_by: 'managed_by',
  assigned_to: 'assigned_to',
  environment: 'environment',
  u_environment: 'environment',
  env: 'environment',
  os: 'os',
  operating_system: 'os',
  platform: 'os',
  os_version: 'os_version',
  operating_system_version: 'os_version',
  status: 'status',
  install_status: 'install_status',
  operational_status: 'operational_status',
};

/** `Serial No.` → `serial_no`, `IP-Address` → `ip_address`, `Memory (MB)` → `memory_mb`. */
export function normalizeHeader(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

function lookup(key: string): { slot: Slot; kind: ColumnKind } | undefined {
  const hit = ALIASES[key];
  if (hit === undefined) return undefined;
  return typeof hit === 'string' ? { slot: hit, kind: 'plain' } : { slot: hit[0], kind: hit[1] };
}

/** The slot a header names, or undefined; `dv_` marks ServiceNow's display-value twin of a field. */
export function columnOf(name: string): Omit<MappedColumn, 'name'> | undefined {
  const key = normalizeHeader(name);
  const plain = lookup(key);
  if (plain) return { ...plain, display: false };
  const twin = key.startsWith('dv_') ? lookup(key.slice(3)) : undefined;
  return twin && { ...twin, display: true };
}

/**
 * A header that is none of ours but joins two of ours (`Hostname/IP`, `OS and Version`): which
 * one the values hold cannot be known, so the header is refused rather than read as either.
 */
function ambiguousSlots(name: string): Slot[] {
  const parts = name.split(/[/&|+]|\band\b|\bor\b/i).map((p) => columnOf(p)?.slot);
  const slots = [...new Set(parts.filter((s): s is Slot => s !== undefined))];
  return slots.length >= 2 ? slots : [];
}

/**
 * Maps a header row (CSV) or the keys of a JSON export's objects. Throws PW_INPUT_INVALID
 * (naming `where`, e.g. `line 1: header`) for a column with no name, a repeated name, a header
 * joining two of our fields, and two columns feeding one slot (both named).
 */
export function mapColumns(names: readonly string[], source: string, where: string, noun: 'column' | 'key' = 'column'): ColumnMap {
  const fail = (reason: string): never => {
    throw new PatchwiseError('PW_INPUT_INVALID', `${where}: ${reason}`, { input: source });
  };
  const ref = (i: number): string => (noun === 'column' ? `${i + 1} "${(names[i] as string).trim()}"` : `"${names[i] as string}"`);
  const byIndex: (MappedColumn | undefined)[] = [];
  const unused: string[] = [];
  const seenNames = new Map<string, number>();
  const bySlot = new Map<string, number>();
  names.forEach((raw, i) => {
    const name = noun === 'column' ? raw.trim() : raw;
    if (name.trim() === '') fail(`${noun} ${noun === 'column' ? i + 1 : '""'} has no name`);
    // JSON keys are case-sensitive, and two of ours meet in the slot check below.
    const firstName = noun === 'column' ? seenNames.get(name.toLowerCase()) : undefined;
    if (firstName !== undefined) fail(`${noun}s ${ref(firstName)} and ${ref(i)} are the same name`);
    seenNames.set(name.toLowerCase(), i);
    const column = columnOf(name);
    if (!column) {
      const slots = ambiguousSlots(name);
      if (slots.length > 0) fail(`${noun} ${ref(i)} could hold ${slots.join(' or ')}; give each its own ${noun}`);
      byIndex.push(undefined);
      unused.push(name);
      return;
    }
    const key = `${column.slot}${column.display ? ':display' : ''}`;
    const first = bySlot.get(key);
    if (first !== undefined) fail(`${noun}s ${ref(first)} and ${ref(i)} both give ${column.slot}; keep one`);
    bySlot.set(key, i);
    byIndex.push({ name, ...column });
  });
  return { byIndex, unused };
}
