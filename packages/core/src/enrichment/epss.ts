import { PatchwiseError } from '../errors/index.js';
import type { ErrorCode } from '../errors/index.js';
import { normalizeCveId } from './cve-id.js';
import { isIsoDate } from './shape-reader.js';

/** One CVE's EPSS values. */
export interface EpssScore {
  /** Probability of exploitation activity in the next 30 days, 0–1. */
  readonly score: number;
  /** Share of all scored CVEs with a lower or equal score, 0–1. */
  readonly percentile: number;
}

/** A parsed FIRST EPSS file: one model's scores for one day. */
export interface EpssScores {
  readonly source: string;
  /** The model that produced the scores, such as `v2023.03.01`. */
  readonly modelVersion: string;
  /** The score date as the file states it, such as `2023-03-17T00:00:00+0000`. */
  readonly scoreDate: string;
  /** The score date's calendar day, `YYYY-MM-DD`. */
  readonly date: string;
  /** Scores by canonical CVE id. */
  readonly scores: ReadonlyMap<string, EpssScore>;
}

const HEADER = 'cve,epss,percentile';

/**
 * Parse FIRST's EPSS CSV (`epss_scores-YYYY-MM-DD.csv`, decompressed by the caller):
 *
 * ```text
 * #model_version:v2023.03.01,score_date:2023-03-17T00:00:00+0000
 * cve,epss,percentile
 * CVE-1999-0001,0.00383,0.73075
 * ```
 *
 * Written for the full daily dump (about 250,000 rows): one pass with `indexOf`, no per-row
 * regular expression or split. A blank line is skipped; every other line must be a valid row.
 *
 * @throws PatchwiseError naming the source and the line: `PW_INPUT_MALFORMED` for an empty file or
 *   a row without exactly three fields; `PW_INPUT_INVALID` for a missing or incomplete
 *   `#model_version…,score_date…` line, a wrong column header, a bad CVE id, a score or percentile
 *   that is not a number in 0–1, or a CVE listed twice.
 */
export function parseEpss(text: string, source: string): EpssScores {
  const fail = (code: ErrorCode, line: number, reason: string): PatchwiseError =>
    new PatchwiseError(code, line > 0 ? `line ${line}: ${reason}` : reason, { input: source });
  if (typeof text !== 'string') throw fail('PW_INPUT_INVALID', 0, `expected EPSS CSV as text, got ${typeof text}`);
  // Stops at the first non-blank character, so it costs nothing on a real file.
  if (/^\s*$/.test(text)) throw fail('PW_INPUT_MALFORMED', 0, 'empty file, expected EPSS CSV');

  const length = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not content
  const first = lineAt(text, pos);
  const { modelVersion, scoreDate } = parseMetadata(first.line, (reason) => fail('PW_INPUT_INVALID', 1, reason));
  const header = lineAt(text, first.next);
  if (header.line.trim() !== HEADER) {
    throw fail('PW_INPUT_INVALID', 2, `expected the header "${HEADER}", found ${JSON.stringify(header.line.slice(0, 80))}`);
  }
  pos = header.next;

  // The hot loop works on offsets into `text`: slicing each line, then each field, and letting
  // Number() parse them cost several times more on the full dump.
  const scores = new Map<string, EpssScore>();
  for (let lineNo = 3; pos < length; lineNo++) {
    const start = pos;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = length;
    pos = end + 1;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end; // CRLF files
    if (isBlank(text, start, stop)) continue;

    const c1 = text.indexOf(',', start);
    const c2 = c1 < 0 || c1 >= stop ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 < 0 || c2 >= stop ? -1 : text.indexOf(',', c2 + 1);
    if (c2 < 0 || c2 >= stop || (c3 >= 0 && c3 < stop)) {
      const found = JSON.stringify(text.slice(start, Math.min(stop, start + 80)));
      throw fail('PW_INPUT_MALFORMED', lineNo, `expected 3 fields (cve,epss,percentile), found ${found}`);
    }
    const rawId = text.slice(start, c1);
    const cveId = normalizeCveId(rawId);
    if (cveId === undefined) throw fail('PW_INPUT_INVALID', lineNo, `"${rawId}" is not a CVE id`);
    const score = readDecimal(text, c1 + 1, c2);
    if (!(score <= 1)) throw fail('PW_INPUT_INVALID', lineNo, `epss ${badNumber(text.slice(c1 + 1, c2))}`);
    const percentile = readDecimal(text, c2 + 1, stop);
    if (!(percentile <= 1)) throw fail('PW_INPUT_INVALID', lineNo, `percentile ${badNumber(text.slice(c2 + 1, stop))}`);
    const before = scores.size;
    scores.set(cveId, { score, percentile });
    // One hash lookup instead of has() then set(); a duplicate fails the whole parse anyway.
    if (scores.size === before) throw fail('PW_INPUT_INVALID', lineNo, `${cveId} is listed twice`);
  }
  return { source, modelVersion, scoreDate, date: scoreDate.slice(0, 10), scores };
}

/**
 * The model version and score date of an EPSS CSV, from its first line only: enough to tell
 * which day's scores a stored file holds without parsing its quarter of a million rows.
 * @throws PatchwiseError `PW_INPUT_INVALID` as parseEpss does for the same line.
 */
export function readEpssHeader(text: string, source: string): { modelVersion: string; scoreDate: string } {
  const first = lineAt(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  return parseMetadata(first.line, (reason) => new PatchwiseError('PW_INPUT_INVALID', `line 1: ${reason}`, { input: source }));
}

/** The line starting at `pos` (without its CR/LF) and the offset of the next one. */
function lineAt(text: string, pos: number): { line: string; next: number } {
  let end = text.indexOf('\n', pos);
  if (end < 0) end = text.length;
  const stop = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
  return { line: text.slice(pos, stop), next: end + 1 };
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** Reads `#model_version:v2023.03.01,score_date:2023-03-17T00:00:00+0000`. */
function parseMetadata(line: string, fail: (reason: string) => PatchwiseError): { modelVersion: string; scoreDate: string } {
  if (!line.startsWith('#')) {
    throw fail(`expected the "#model_version:…,score_date:…" line first, found ${JSON.stringify(line.slice(0, 80))}`);
  }
  const fields = new Map<string, string>();
  for (const field of line.slice(1).split(',')) {
    const colon = field.indexOf(':');
    if (colon > 0) fields.set(field.slice(0, colon).trim(), field.slice(colon + 1).trim());
  }
  const modelVersion = fields.get('model_version');
  const scoreDate = fields.get('score_date');
  if (!modelVersion) throw fail('the first line has no model_version');
  if (!scoreDate) throw fail('the first line has no score_date');
  if (!isIsoDate(scoreDate.slice(0, 10))) throw fail(`score_date "${scoreDate}" does not start with a YYYY-MM-DD date`);
  return { modelVersion, scoreDate };
}

// Exact powers of ten: a double holds 10^k exactly up to k = 22.
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The non-negative decimal `text[from, to)` (`0.00383`, `1`, `.5`, `1e-05`), or NaN when it is
 * not one (empty, blank, signed, hexadecimal, two dots…). For up to 15 digits the value is the
 * integer of its digits divided by an exact power of ten: one correctly rounded division, so it
 * equals what `Number()` returns, at a fraction of the cost. Exponents and longer numbers, rare in
 * EPSS files, go through `Number()` once their characters are checked.
 */
function readDecimal(text: string, from: number, to: number): number {
  let mantissa = 0;
  let digits = 0;
  let fraction = -1; // digits after the '.', -1 before one is seen
  let i = from;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === 46 && fraction < 0) {
      fraction = 0;
    } else {
      break;
    }
  }
  if (digits === 0) return NaN;
  if (i < to) {
    const c = text.charCodeAt(i);
    if (c !== 101 && c !== 69) return NaN; // only an exponent may follow
    let j = i + 1;
    const sign = text.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (j >= to) return NaN;
    for (; j < to; j++) {
      const d = text.charCodeAt(j);
      if (d < 48 || d > 57) return NaN;
    }
    return Number(text.slice(from, to));
  }
  if (digits > 15) return Number(text.slice(from, to));
  return fraction > 0 ? mantissa / (POW10[fraction] ?? NaN) : mantissa;
}

/** Why a field is not an EPSS value, for the error message. */
function badNumber(field: string): string {
  if (field === '') return 'is empty';
  const value = readDecimal(field, 0, field.length);
  const quoted = JSON.stringify(field.slice(0, 40));
  return Number.isNaN(value) ? `${quoted} is not a number` : `${quoted} is outside 0–1`;
}
