/**
 * CMDB CSV exports through csv-parse, held to RFC 4180: comma separators, CRLF or LF records,
 * double-quoted fields that may hold commas, doubled quotes and line breaks. A stray quote is
 * refused, not guessed at, and the error names the line.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { PatchwiseError } from '../errors/index.js';

/** One record and the 1-based line it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** csv-parse's reasons, in the words the rest of Patchwise uses. */
const REASONS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'text after a closing quote',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field; quote the whole field and double inner quotes',
};

/**
 * The records of `text` (a leading byte-order mark dropped); blank lines between records are
 * skipped (exports often end with several). Throws PW_INPUT_MALFORMED naming `source` and the
 * line for quoting errors.
 */
export function readCsv(text: string, source: string): CsvRecord[] {
  let rows: { record: string[]; raw: string; info: { lines: number } }[];
  try {
    // CRLF and LF may both occur in one file (exports get edited on two systems): one record end
    // for csv-parse, which otherwise takes the first it meets as the only one. A line break
    // inside a quoted field becomes LF, which is all a CMDB field needs.
    rows = parse(text.replace(/\r\n/g, '\n'), { bom: true, skip_empty_lines: true, relax_column_count: true, record_delimiter: '\n', info: true, raw: true }) as unknown as typeof rows;
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = (err as CsvError & { lines?: number }).lines;
    const reason = REASONS[err.code] ?? err.message;
    throw new PatchwiseError('PW_INPUT_MALFORMED', `line ${line ?? '?'}: ${reason}`, { input: source, cause: err });
  }
  // csv-parse counts the line a record ends on; a quoted line break inside it moves the start
  // back. Its raw text also carries the blank lines skipped before it, which are not the record's.
  return rows.map(({ record, raw, info }) => ({ line: info.lines - newlinesIn(raw.replace(/^\n+/, '').replace(/\n$/, '')), fields: record }));
}

function newlinesIn(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
