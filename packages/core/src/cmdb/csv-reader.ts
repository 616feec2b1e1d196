/**
 * A small RFC 4180 reader. Written here because no CSV parser is installed in the workspace and
 * CMDB exports need only the RFC's rules: comma separators, CRLF or LF records, fields in double
 * quotes that may hold commas, quotes (doubled) and line breaks. Anything else a quote does
 * (a quote inside an unquoted field, text after a closing quote) is refused, not guessed at.
 */
import { PatchwiseError } from '../errors/index.js';

/** One record and the 1-based line it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * The records of `text`; blank lines between records are skipped (exports often end with
 * several). Throws PW_INPUT_MALFORMED naming `source` and the line for quoting errors.
 */
export function readCsv(text: string, source: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = 0;
  let atRecordStart = true;
  const bad = (at: number, reason: string): PatchwiseError =>
    new PatchwiseError('PW_INPUT_MALFORMED', `line ${at}: ${reason}`, { input: source });
  const endRecord = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
    fields = [];
    field = '';
    atRecordStart = true;
  };
  while (i < s.length) {
    if (atRecordStart) {
      start = line;
      atRecordStart = false;
    }
    const c = s[i];
    if (c === '"' && field === '') {
      // A quoted field: runs to the next quote not followed by another quote.
      const opened = line;
      i++;
      for (;;) {
        if (i >= s.length) throw bad(opened, 'a quoted field is never closed');
        const q = s[i] as string;
        if (q === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n') line++;
        field += q;
        i++;
      }
      const next = s[i];
      if (next !== undefined && next !== ',' && next !== '\n' && !(next === '\r' && s[i + 1] === '\n')) {
        throw bad(line, `text after a closing quote (field ${fields.length + 1})`);
      }
      if (next === ',') {
        fields.push(field);
        field = '';
        i++;
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\n' || (c === '\r' && s[i + 1] === '\n')) {
      endRecord();
      i += c === '\r' ? 2 : 1;
      line++;
    } else if (c === '"') {
      throw bad(line, `a quote inside an unquoted field (field ${fields.length + 1}); quote the whole field and double inner quotes`);
    } else {
      field += c;
      i++;
    }
  }
  if (!atRecordStart) endRecord();
  return records;
}
