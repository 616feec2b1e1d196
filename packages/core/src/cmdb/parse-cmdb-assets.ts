/**
 * CMDB exports → CmdbAsset[]: reading the file (CSV with a header row; JSON as an array, or the
 * array under `assets`, ServiceNow JSONv2's `records` or the Table API's `result`). Which column
 * feeds what is column-map.ts; how a row's values combine, asset-row.ts; statuses,
 * asset-status.ts; criticality, criticality.ts. A bad row becomes a PW_INPUT_INVALID problem
 * naming source, row and column, and the other rows are still read, so one import reports
 * every bad row at once. docs/cmdb.md has the format.
 */
import { PatchwiseError } from '../errors/index.js';
import { parseJson } from '../input/index.js';
import { FieldProblem } from './asset-fields.js';
import { assetFromRow, type Cell, type CellValue, type RowCells } from './asset-row.js';
import { mapColumns, type ColumnMap, type Slot } from './column-map.js';
import { readCsv } from './csv-reader.js';
import type { CmdbAsset } from './types.js';

/** Fields of a CmdbAsset that Patchwise interprets, in our own spelling. */
export const CMDB_FIELDS = ['hostname', 'machine_id', 'serial', 'ip', 'tier', 'owner', 'environment', 'os'] as const;

/** A row its status says is not in service: left out of the assets, named in the import's reply. */
export interface NotExpectedRow {
  readonly location: string;
  readonly column: string;
  readonly value: string;
}

export interface CmdbParseResult {
  readonly assets: CmdbAsset[];
  /** One PW_INPUT_INVALID per bad row, in source order. */
  readonly problems: PatchwiseError[];
  /** Rows left out by their status (retired, planned, offline…), in source order. */
  readonly notExpected: NotExpectedRow[];
  /** Columns (or JSON keys) Patchwise does not interpret, once each; their values stay in `extra`. */
  readonly unusedColumns: string[];
}

/**
 * Reads a CMDB export. `format` defaults to JSON when the source ends in `.json` or the text
 * starts with `[` or `{`, CSV otherwise. Whole-file faults (no header, broken quoting, invalid
 * JSON, a column that cannot be told apart from another) throw; row faults are collected in
 * `problems`.
 */
export function parseCmdbAssets(text: string, source: string, format?: 'csv' | 'json'): CmdbParseResult {
  // Editors on Windows save UTF-8 with a byte-order mark; it is no part of the content.
  const body = text.replace(/^\ufeff/, '');
  const fmt = format ?? (/\.json$/i.test(source) || /^\s*[[{]/.test(body) ? 'json' : 'csv');
  return fmt === 'json' ? parseJsonAssets(body, source) : parseCsvAssets(body, source);
}

/** Collects rows into the result; FieldProblems become row problems. */
class Collector {
  readonly assets: CmdbAsset[] = [];
  readonly problems: PatchwiseError[] = [];
  readonly notExpected: NotExpectedRow[] = [];

  constructor(private readonly source: string) {}

  row(location: string, read: () => { cells: RowCells; unknown: Record<string, unknown> }): void {
    try {
      const { cells, unknown } = read();
      const outcome = assetFromRow(cells, unknown, this.source, location);
      if ('asset' in outcome) this.assets.push(outcome.asset);
      else this.notExpected.push({ location, ...outcome.notExpected });
    } catch (err) {
      this.problems.push(asProblem(err, this.source, location));
    }
  }

  problem(location: string, reason: string): void {
    this.problems.push(invalid(this.source, location, reason));
  }

  result(unusedColumns: readonly string[]): CmdbParseResult {
    return { assets: this.assets, problems: this.problems, notExpected: this.notExpected, unusedColumns: [...unusedColumns] };
  }
}

function parseCsvAssets(text: string, source: string): CmdbParseResult {
  const records = readCsv(text, source);
  const header = records[0];
  if (!header) throw new PatchwiseError('PW_INPUT_INVALID', 'no header row; expected columns such as hostname,machine_id,serial,ip', { input: source });
  const map = mapColumns(header.fields, source, `line ${header.line}: header`);
  const out = new Collector(source);
  for (const r of records.slice(1)) {
    const location = `line ${r.line}`;
    if (r.fields.length !== map.byIndex.length) {
      out.problem(location, `has ${r.fields.length} fields; the header has ${map.byIndex.length}`);
      continue;
    }
    out.row(location, () => cellsOf(map, r.fields.map((v, i) => [header.fields[i] as string, v])));
  }
  return out.result(map.unused);
}

/** Where a JSON export keeps its list: ours, ServiceNow JSONv2 (`records`), ServiceNow Table API (`result`). */
const JSON_WRAPPERS = ['assets', 'records', 'result'] as const;

function parseJsonAssets(text: string, source: string): CmdbParseResult {
  const doc = parseJson(text, source);
  let list: unknown = doc;
  let prefix = '';
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    const key = JSON_WRAPPERS.find((k) => Array.isArray((doc as Record<string, unknown>)[k]));
    list = key === undefined ? undefined : (doc as Record<string, unknown>)[key];
    prefix = key ?? '';
  }
  if (!Array.isArray(list)) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'expected an array of assets, or an object with an "assets", "records" (ServiceNow JSONv2) or "result" (ServiceNow Table API) array', { input: source });
  }
  // One vocabulary per file: the keys of all objects are mapped together, so a conflict or an
  // unused key is reported once, not once per object.
  const keys = [...new Set(list.flatMap((item: unknown) => (isObject(item) ? Object.keys(item) : [])))];
  const map = mapColumns(keys, source, `${prefix}[*]`, 'key');
  const index = new Map(keys.map((k, i) => [k, i]));
  const out = new Collector(source);
  list.forEach((item: unknown, i) => {
    out.row(`${prefix}[${i}]`, () => {
      if (!isObject(item)) throw new FieldProblem('asset', 'must be an object');
      return cellsOf(map, Object.entries(item), index);
    });
  });
  return out.result(map.unused);
}

/**
 * A row's values by slot. Empty values and JSON nulls mean "not recorded". ServiceNow's
 * display-value twin (`dv_owned_by`) wins over the raw value when it holds something; a Table
 * API `{ "display_value": …, "value": … }` object reads as its display value.
 */
function cellsOf(map: ColumnMap, entries: readonly [string, unknown][], index?: ReadonlyMap<string, number>): { cells: RowCells; unknown: Record<string, unknown> } {
  const cells: RowCells = {};
  const display = new Set<Slot>();
  const unknown: Record<string, unknown> = {};
  entries.forEach(([name, raw], i) => {
    const column = map.byIndex[index ? (index.get(name) as number) : i];
    if (!column) {
      if (raw !== '' && raw !== null) unknown[name] = raw;
      return;
    }
    const value = cellValue(raw, name);
    if (value === undefined || value === '') return;
    if (display.has(column.slot) && !column.display) return;
    if (column.display) display.add(column.slot);
    cells[column.slot] = { column: name, kind: column.kind, value } satisfies Cell;
  });
  return { cells, unknown };
}

function cellValue(raw: unknown, column: string): CellValue | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'string' || typeof raw === 'number') return raw;
  if (Array.isArray(raw)) return raw as string[];
  if (isObject(raw) && 'display_value' in raw) return cellValue(raw.display_value, column);
  throw new FieldProblem(column, 'must be a string');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function invalid(source: string, location: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_INPUT_INVALID', `${location}: ${reason}`, { input: source });
}

function asProblem(err: unknown, source: string, location: string): PatchwiseError {
  if (err instanceof FieldProblem) return invalid(source, location, err.message);
  throw err;
}
