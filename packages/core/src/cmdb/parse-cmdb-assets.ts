/**
 * CMDB exports → CmdbAsset[]. CSV (header row required) or JSON (an array of objects, or
 * `{ "assets": [...] }`). Field names are case-insensitive; unknown ones are kept as `extra`.
 * A bad row becomes a PW_INPUT_INVALID problem naming source, row and field, and the other rows
 * are still read, so one import reports every bad row at once. docs/cmdb.md has the format.
 */
import { PatchwiseError } from '../errors/index.js';
import { parseJson } from '../input/index.js';
import {
  FieldProblem,
  normalizeHostname,
  normalizeIp,
  normalizeIpList,
  normalizeMachineId,
  normalizeSerial,
  parseText,
  parseTier,
} from './asset-fields.js';
import { readCsv } from './csv-reader.js';
import type { CmdbAsset } from './types.js';

/** Fields Patchwise interprets. */
export const CMDB_FIELDS = ['hostname', 'machine_id', 'serial', 'ip', 'tier', 'owner', 'environment', 'os'] as const;
type Field = (typeof CMDB_FIELDS)[number];

/** Other spellings found in real exports, after lower-casing and turning spaces and dashes into `_`. */
const ALIASES: Readonly<Record<string, Field>> = {
  machineid: 'machine_id',
  serial_number: 'serial',
  ips: 'ip',
  ip_address: 'ip',
  ip_addresses: 'ip',
};

export interface CmdbParseResult {
  readonly assets: CmdbAsset[];
  /** One PW_INPUT_INVALID per bad row, in source order. */
  readonly problems: PatchwiseError[];
}

/**
 * Reads a CMDB export. `format` defaults to JSON when the source ends in `.json` or the text
 * starts with `[` or `{`, CSV otherwise. Whole-file faults (no header, broken quoting, invalid
 * JSON, a duplicate column) throw; row faults are collected in `problems`.
 */
export function parseCmdbAssets(text: string, source: string, format?: 'csv' | 'json'): CmdbParseResult {
  // Editors on Windows save UTF-8 with a byte-order mark; it is no part of the content.
  const body = text.replace(/^\ufeff/, '');
  const fmt = format ?? (/\.json$/i.test(source) || /^\s*[[{]/.test(body) ? 'json' : 'csv');
  return fmt === 'json' ? parseJsonAssets(body, source) : parseCsvAssets(body, source);
}

function fieldOf(name: string): Field | undefined {
  const key = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return (CMDB_FIELDS as readonly string[]).includes(key) ? (key as Field) : ALIASES[key];
}

function parseCsvAssets(text: string, source: string): CmdbParseResult {
  const records = readCsv(text, source);
  const header = records[0];
  if (!header) throw new PatchwiseError('PW_INPUT_INVALID', 'no header row; expected columns such as hostname,machine_id,serial,ip', { input: source });
  const columns = header.fields.map((name) => ({ name: name.trim(), field: fieldOf(name) }));
  const seen = new Map<string, number>();
  columns.forEach((c, i) => {
    const key = c.field ?? c.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw new PatchwiseError('PW_INPUT_INVALID', `line ${header.line}: header: columns ${first + 1} and ${i + 1} both name "${key}"`, { input: source });
    }
    if (c.name === '') throw new PatchwiseError('PW_INPUT_INVALID', `line ${header.line}: header: column ${i + 1} has no name`, { input: source });
    seen.set(key, i);
  });
  const assets: CmdbAsset[] = [];
  const problems: PatchwiseError[] = [];
  for (const r of records.slice(1)) {
    const location = `line ${r.line}`;
    if (r.fields.length !== columns.length) {
      problems.push(invalid(source, location, `has ${r.fields.length} fields; the header has ${columns.length}`));
      continue;
    }
    const values: Partial<Record<Field, string>> = {};
    const extra: Record<string, unknown> = {};
    r.fields.forEach((v, i) => {
      const c = columns[i] as { name: string; field: Field | undefined };
      if (c.field) values[c.field] = v;
      else if (v !== '') extra[c.name] = v;
    });
    try {
      assets.push(buildAsset(values, extra, source, location));
    } catch (err) {
      problems.push(asProblem(err, source, location));
    }
  }
  return { assets, problems };
}

function parseJsonAssets(text: string, source: string): CmdbParseResult {
  const doc = parseJson(text, source);
  const wrapped = doc !== null && typeof doc === 'object' && !Array.isArray(doc);
  const list: unknown = wrapped ? (doc as Record<string, unknown>).assets : doc;
  const prefix = wrapped ? 'assets' : '';
  if (!Array.isArray(list)) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'expected an array of assets or an object with an "assets" array', { input: source });
  }
  const assets: CmdbAsset[] = [];
  const problems: PatchwiseError[] = [];
  list.forEach((item: unknown, i) => {
    const location = `${prefix}[${i}]`;
    try {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new FieldProblem('asset', 'must be an object');
      const values: Partial<Record<Field, string>> = {};
      const extra: Record<string, unknown> = {};
      let tier: number | undefined;
      let ips: string[] | undefined;
      for (const [key, v] of Object.entries(item as Record<string, unknown>)) {
        const field = fieldOf(key);
        if (!field) {
          extra[key] = v;
          continue;
        }
        if (field in values || (field === 'ip' && ips) || (field === 'tier' && tier !== undefined)) {
          throw new FieldProblem(field, `given twice (as "${key}" and another spelling)`);
        }
        if (v === null || v === undefined) continue;
        if (field === 'tier' && typeof v === 'number') tier = parseTier(v);
        else if (field === 'ip' && Array.isArray(v)) {
          ips = v.map((a: unknown) => {
            if (typeof a !== 'string') throw new FieldProblem('ip', 'must be a string or an array of strings');
            return normalizeIp(a);
          });
        } else if (typeof v === 'string') values[field] = v;
        else throw new FieldProblem(field, field === 'ip' ? 'must be a string or an array of strings' : field === 'tier' ? 'must be 0–3' : 'must be a string');
      }
      assets.push(buildAsset(values, extra, source, location, { tier, ips }));
    } catch (err) {
      problems.push(asProblem(err, source, location));
    }
  });
  return { assets, problems };
}

/** Checks and normalises one row's values. Empty strings mean "not recorded". */
function buildAsset(
  v: Partial<Record<Field, string>>,
  extra: Record<string, unknown>,
  source: string,
  location: string,
  pre: { tier?: number | undefined; ips?: string[] | undefined } = {},
): CmdbAsset {
  const given = (f: Field): string | undefined => {
    const s = v[f]?.trim();
    return s === undefined || s === '' ? undefined : s;
  };
  const hostname = given('hostname');
  const machineId = given('machine_id');
  const serialText = given('serial');
  const ipText = given('ip');
  const tierText = given('tier');
  const asset: CmdbAsset = {
    source,
    location,
    hostname: hostname === undefined ? undefined : normalizeHostname(hostname),
    machineId: machineId === undefined ? undefined : normalizeMachineId(machineId),
    serial: serialText === undefined ? undefined : normalizeSerial(serialText),
    ips: pre.ips ?? (ipText === undefined ? [] : normalizeIpList(ipText)),
    tier: pre.tier !== undefined ? parseTier(pre.tier) : tierText === undefined ? undefined : parseTier(tierText),
    owner: optionalText(given('owner'), 'owner'),
    environment: optionalText(given('environment'), 'environment'),
    os: optionalText(given('os'), 'os'),
    extra,
  };
  if (!asset.hostname && !asset.machineId && !asset.serial && asset.ips.length === 0) {
    const placeholder = serialText !== undefined ? ` (serial "${serialText}" is a vendor placeholder)` : '';
    throw new FieldProblem('hostname, machine_id, serial, ip', `at least one identifier is required${placeholder}`);
  }
  return asset;
}

function optionalText(value: string | undefined, field: string): string | undefined {
  return value === undefined ? undefined : parseText(value, field);
}

function invalid(source: string, location: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_INPUT_INVALID', `${location}: ${reason}`, { input: source });
}

function asProblem(err: unknown, source: string, location: string): PatchwiseError {
  if (err instanceof FieldProblem) return invalid(source, location, err.message);
  throw err;
}
