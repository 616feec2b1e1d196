/**
 * Normalising and checking the identifier and attribute fields of a CMDB asset. The same
 * normalisers apply to hosts during reconciliation, so both sides compare in one spelling.
 */
import { isIP } from 'node:net';

/** A field value that breaks its rule; the caller adds source and location. */
export class FieldProblem extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Lower case, trailing dot dropped; RFC 1123 labels (underscores tolerated: Windows names have them). */
export function normalizeHostname(value: string, field = 'hostname'): string {
  const h = value.trim().toLowerCase().replace(/\.$/, '');
  if (h.length > 253 || h === '' || !h.split('.').every((l) => LABEL.test(l))) {
    throw new FieldProblem(field, `"${value}" is not a host name`);
  }
  return h;
}

/** The first label: `web01.example.com` → `web01`. */
export function shortName(hostname: string): string {
  const dot = hostname.indexOf('.');
  return dot < 0 ? hostname : hostname.slice(0, dot);
}

/**
 * systemd machine-id (/etc/machine-id): 32 hex digits. Tools that print it as a UUID add dashes
 * and upper case; both are normalised away. All zeros is what an unconfigured image carries.
 */
export function normalizeMachineId(value: string, field = 'machine_id'): string {
  const m = value.trim().toLowerCase().replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/.test(m) || /^0+$/.test(m)) {
    throw new FieldProblem(field, `"${value}" is not a machine id (32 hexadecimal digits, not all zero)`);
  }
  return m;
}

/**
 * Strings firmware ships in the serial field when the vendor did not set one. Thousands of
 * machines share them, so treating them as identifiers would pair unrelated machines.
 */
const PLACEHOLDER_SERIALS = new Set([
  '0', '00000000', '0123456789', '1234567890', 'none', 'null', 'n/a', 'na', 'unknown', 'default string',
  'not specified', 'not applicable', 'not available', 'to be filled by o.e.m.', 'system serial number',
  'chassis serial number', 'serial number', 'oem', 'empty', 'invalid', '123456789',
]);

/** Upper case, trimmed; undefined for a vendor placeholder. Printable ASCII, at most 128 characters. */
export function normalizeSerial(value: string, field = 'serial'): string | undefined {
  const s = value.trim();
  if (PLACEHOLDER_SERIALS.has(s.toLowerCase())) return undefined;
  if (s.length > 128 || !/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(s)) {
    throw new FieldProblem(field, `"${value}" is not a serial number (printable ASCII, at most 128 characters)`);
  }
  return s.toUpperCase();
}

/** Canonical spelling of an IP address, or a FieldProblem. IPv6 zone ids (`%eth0`) are dropped. */
export function normalizeIp(value: string, field = 'ip'): string {
  const raw = value.trim().replace(/%.*$/, '');
  const family = isIP(raw);
  if (family === 0) throw new FieldProblem(field, `"${value}" is not an IP address`);
  return family === 6 ? new URL(`http://[${raw}]/`).hostname.slice(1, -1) : raw;
}

/** Several addresses in one CSV field: separated by spaces, commas or semicolons. */
export function normalizeIpList(value: string, field = 'ip'): string[] {
  return [...new Set(value.split(/[\s,;]+/).filter((v) => v !== '').map((v) => normalizeIp(v, field)))];
}

/**
 * Loopback, link-local and unspecified addresses are on every machine and identify none, so they
 * never pair an asset with a host.
 */
export function isIdentifyingIp(ip: string): boolean {
  if (ip.includes(':')) return !(ip === '::' || ip === '::1' || /^fe[89ab]/.test(ip));
  return !(ip.startsWith('127.') || ip.startsWith('169.254.') || ip === '0.0.0.0');
}

/** 0–3; `1`, `tier 1`, `T1` are accepted since CMDBs write tiers all three ways. */
export function parseTier(value: string | number, field = 'tier'): 0 | 1 | 2 | 3 {
  const m = /^(?:tier\s*|t)?([0-3])$/i.exec(typeof value === 'number' ? String(value) : value.trim());
  const n = m ? Number(m[1]) : NaN;
  if (n === 0 || n === 1 || n === 2 || n === 3) return n;
  throw new FieldProblem(field, `must be 0–3, got "${String(value)}"`);
}

/** Free text attributes: trimmed, one line, at most 256 characters. */
export function parseText(value: string, field: string): string {
  const t = value.trim();
  if (t.length > 256 || /[\r\n]/.test(t)) throw new FieldProblem(field, 'must be one line of at most 256 characters');
  return t;
}
