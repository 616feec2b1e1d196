/**
 * CMDB CSV exports through csv-parse: RFC 4180 quoting (fields that hold the separator, doubled
 * quotes and line breaks) with the variations spreadsheets write: CRLF, LF or CR-only records
 * (Excel's "CSV (Macintosh)"), and a comma, semicolon or tab separator (Excel in locales with a
 * decimal comma writes semicolons, and a `sep=;` first line). A stray quote is refused, not
 * guessed at, and the error names the line.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { PatchwiseError } from '../errors/index.js';

/** One record and the 1-based line it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/** Separators a header line may use, in the order ties are broken. */
const SEPARATORS = [',', ';', '\t'] as const;

/** csv-parse's reasons, in the words the rest of Patchwise uses. */
const REASONS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'text after a closing quote',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field; quote the whole field and double inner quotes',
};

/**
 * The records of `text` (a leading byte-order mark dropped); blank lines between records are
 * skipped (exports often end with several). The separator is the one a `sep=X` first line names,
 * else the one the header line uses most. Throws PW_INPUT_MALFORMED naming `source` and the line
 * for quoting errors.
 */
export function readCsv(text: string, source: string): CsvRecord[] {
  // One record end for csv-parse, which otherwise takes the first it meets as the only one: CRLF
  // and LF may both occur in one file (exports get edited on two systems), and a CR alone is a
  // line break too. A line break inside a quoted field becomes LF, which is all a CMDB field needs.
  let lines = text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  let delimiter: string;
  const sepLine = /^sep=(.)\n/i.exec(lines);
  if (sepLine) {
    delimiter = sepLine[1] as string;
    // Blanked rather than cut, so the line numbers still count it.
    lines = lines.slice(sepLine[0].length - 1);
  } else {
    delimiter = separatorOf(headerLine(lines));
  }
  let rows: { record: string[]; raw: string; info: { lines: number } }[];
  try {
    rows = parse(lines, { delimiter, skip_empty_lines: true, relax_column_count: true, record_delimiter: '\n', info: true, raw: true }) as unknown as typeof rows;
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

/** The first non-blank line (a header never holds a quoted line break). */
function headerLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '') ?? '';
}

/** The separator the header uses most outside quotes; a one-column header has none, so comma. */
function separatorOf(header: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (SEPARATORS as readonly string[]).includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: string = ',';
  for (const sep of SEPARATORS) if ((counts.get(sep) ?? 0) > (counts.get(best) ?? 0)) best = sep;
  return best;
}

function newlinesIn(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
