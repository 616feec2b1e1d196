/**
 * One export row's slots → a CmdbAsset, or the status that makes it not expected. Pure; the
 * rules (docs/cmdb.md):
 * - Status first: a record its status says is not in service is left out before anything else
 *   is checked, so a retired CI with an old malformed IP does not block an import.
 * - Hostname: the FQDN column when given, else the host name column (joined with ServiceNow's
 *   `dns_domain` when short), else the record's name. An FQDN keeps two `web01`s of different
 *   domains apart; reconcile still pairs it with a host that reports only `web01` when that is
 *   the only candidate. A host name that is neither the FQDN nor its first label contradicts it
 *   and is refused. The name column is a display label in ServiceNow, so it is checked only
 *   when it is the hostname.
 * - Owner: `owner`/`owned_by`/Tenant, else `managed_by`, else `assigned_to`.
 * - OS: `os` and `os_version` joined unless the name already carries the version.
 * - IPs: every IP column together; a prefix length (NetBox writes `10.0.0.5/24`) is dropped.
 * Values read but not used (a label name beside an FQDN, a fallback owner) stay in `extra`.
 */
import { isIP } from 'node:net';
import {
  FieldProblem,
  normalizeHostname,
  normalizeIp,
  normalizeMachineId,
  normalizeSerial,
  parseText,
  shortName,
} from './asset-fields.js';
import { isExpectedStatus } from './asset-status.js';
import type { ColumnKind, Slot } from './column-map.js';
import { parseCriticality, parseTierColumn } from './criticality.js';
import type { CmdbAsset } from './types.js';

/** A value as the file gives it: text (CSV, JSON), a number (JSON tier or status) or a list (JSON ip). */
export type CellValue = string | number | readonly string[];

export interface Cell {
  /** The header or key as written. */
  readonly column: string;
  readonly kind: ColumnKind;
  readonly value: CellValue;
}

export type RowCells = Partial<Record<Slot, Cell>>;

export type RowOutcome =
  | { readonly asset: CmdbAsset }
  | { readonly notExpected: { readonly column: string; readonly value: string } };

const STATUS_SLOTS = ['status', 'install_status', 'operational_status'] as const;

/** Throws FieldProblem (naming the column as written) for a value that breaks its rule. */
export function assetFromRow(cells: RowCells, unknown: Readonly<Record<string, unknown>>, source: string, location: string): RowOutcome {
  for (const slot of STATUS_SLOTS) {
    const c = cells[slot];
    const v = c && textOf(c, true);
    if (c && v !== undefined && !isExpectedStatus(slot, v, c.column)) return { notExpected: { column: c.column, value: v } };
  }
  const extra: Record<string, unknown> = { ...unknown };
  const keep = (c: Cell | undefined): void => {
    if (c && textOf(c, false) !== undefined) extra[c.column] = c.value;
  };

  const serialCell = cells.serial;
  const serialText = serialCell && textOf(serialCell, false);
  const machineIdText = cells.machine_id && textOf(cells.machine_id, false);
  const asset: CmdbAsset = {
    source,
    location,
    hostname: hostnameOf(cells, keep),
    machineId: machineIdText === undefined ? undefined : normalizeMachineId(machineIdText, cells.machine_id?.column),
    serial: serialText === undefined ? undefined : normalizeSerial(serialText, serialCell?.column),
    ips: ipsOf(cells),
    tier: tierOf(cells.tier),
    owner: ownerOf(cells, keep),
    environment: optionalText(cells.environment),
    os: osOf(cells, keep),
    extra,
  };
  if (!asset.hostname && !asset.machineId && !asset.serial && asset.ips.length === 0) {
    const placeholder = serialText !== undefined ? ` (serial "${serialText}" is a vendor placeholder)` : '';
    throw new FieldProblem('hostname, machine_id, serial, ip', `at least one identifier is required${placeholder}`);
  }
  return { asset };
}

/** The cell's text, trimmed; undefined when empty. Numbers are text only where they carry meaning. */
function textOf(c: Cell, numberAllowed: boolean): string | undefined {
  if (typeof c.value === 'number' && numberAllowed) return String(c.value);
  if (typeof c.value !== 'string') throw new FieldProblem(c.column, 'must be a string');
  const t = c.value.trim();
  return t === '' ? undefined : t;
}

function hostnameOf(cells: RowCells, keep: (c: Cell | undefined) => void): string | undefined {
  const read = (c: Cell | undefined): string | undefined => {
    const t = c && textOf(c, false);
    return t === undefined ? undefined : normalizeHostname(t, c?.column);
  };
  const fqdn = read(cells.fqdn);
  const host = read(cells.hostname);
  if (fqdn !== undefined && host !== undefined && host !== fqdn && host !== shortName(fqdn)) {
    throw new FieldProblem(`${cells.hostname?.column}, ${cells.fqdn?.column}`, `"${host}" and "${fqdn}" name different hosts`);
  }
  if (fqdn !== undefined || host !== undefined) keep(cells.name);
  if (fqdn !== undefined) {
    keep(cells.dns_domain);
    return fqdn;
  }
  const base = host ?? read(cells.name);
  const domain = read(cells.dns_domain);
  if (base === undefined || domain === undefined) return base;
  if (base.includes('.')) {
    keep(cells.dns_domain);
    return base;
  }
  return normalizeHostname(`${base}.${domain}`, `${cells.hostname?.column ?? cells.name?.column}, ${cells.dns_domain?.column}`);
}

function ipsOf(cells: RowCells): string[] {
  const out = new Set<string>();
  for (const [slot, family] of [['ip', 0], ['ipv4', 4], ['ipv6', 6]] as const) {
    const c = cells[slot];
    if (!c) continue;
    let items: readonly string[];
    if (Array.isArray(c.value)) items = c.value as readonly string[];
    else if (typeof c.value === 'string') items = c.value.split(/[\s,;]+/);
    else throw new FieldProblem(c.column, 'must be a string or an array of strings');
    for (const item of items) {
      if (typeof item !== 'string') throw new FieldProblem(c.column, 'must be a string or an array of strings');
      if (item.trim() === '') continue;
      const ip = normalizeIp(withoutPrefixLength(item, c.column), c.column);
      if (family !== 0 && isIP(ip) !== family) throw new FieldProblem(c.column, `"${item}" is not an IPv${family} address`);
      out.add(ip);
    }
  }
  return [...out];
}

/** `10.0.0.5/24` → `10.0.0.5`: the address is the host's, the prefix length its subnet's. */
function withoutPrefixLength(value: string, column: string): string {
  const m = /^(.*)\/(\d{1,3})$/.exec(value.trim());
  if (!m) return value;
  const address = m[1] as string;
  const max = address.includes(':') ? 128 : 32;
  if (Number(m[2]) > max) throw new FieldProblem(column, `"${value}" has a prefix length over ${max}`);
  return address;
}

function tierOf(c: Cell | undefined): 0 | 1 | 2 | 3 | undefined {
  if (!c) return undefined;
  if (typeof c.value === 'number') {
    if (c.kind === 'criticality') return parseCriticality(String(c.value), c.column);
    return parseTierColumn(c.value, c.column);
  }
  const t = textOf(c, false);
  if (t === undefined) return undefined;
  return c.kind === 'criticality' ? parseCriticality(t, c.column) : parseTierColumn(t, c.column);
}

/** ServiceNow reference fields hold a sys_id unless the export asked for display values. */
const SYS_ID = /^[0-9a-f]{32}$/;

function ownerOf(cells: RowCells, keep: (c: Cell | undefined) => void): string | undefined {
  let owner: string | undefined;
  for (const c of [cells.owner, cells.managed_by, cells.assigned_to]) {
    if (owner !== undefined) {
      keep(c);
      continue;
    }
    const t = optionalText(c);
    if (t !== undefined && SYS_ID.test(t)) {
      throw new FieldProblem(c?.column ?? 'owner', `"${t}" is a ServiceNow sys_id, not a name; export display values (JSONv2: displayvalue=true; Table API: sysparm_display_value=true)`);
    }
    owner = t;
  }
  return owner;
}

function osOf(cells: RowCells, keep: (c: Cell | undefined) => void): string | undefined {
  const os = optionalText(cells.os);
  const version = optionalText(cells.os_version);
  if (os === undefined) {
    // A version alone names no system; it is kept, not compared.
    keep(cells.os_version);
    return undefined;
  }
  if (version === undefined || os.toLowerCase().split(/[\s/]+/).includes(version.toLowerCase())) return os;
  return parseText(`${os} ${version}`, `${cells.os?.column}, ${cells.os_version?.column}`);
}

function optionalText(c: Cell | undefined): string | undefined {
  const t = c && textOf(c, false);
  return t === undefined ? undefined : parseText(t, c?.column ?? '');
}
