/** Line handling shared by the EOL data readers: numbered lines, comments, dates, typed errors. */
import { PatchwiseError } from '../errors/index.js';
import type { IsoDate } from './types.js';

/** A non-blank, non-comment line with its 1-based number. */
export interface DataLine {
  readonly line: number;
  readonly text: string;
}

/**
 * The lines that carry data: CR/LF stripped, blank lines and `#` comments skipped, a leading
 * byte-order mark dropped. Line numbers count every physical line so errors point at the file.
 */
export function dataLines(text: string): DataLine[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: DataLine[] = [];
  body.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trimEnd();
    if (t.trim() === '' || t.trimStart().startsWith('#')) return;
    out.push({ line: i + 1, text: t });
  });
  return out;
}

/** PW_INPUT_MALFORMED naming the data file and the 1-based line: `debian.csv: line 7: …`. */
export function malformedData(file: string, line: number, reason: string): PatchwiseError {
  return new PatchwiseError('PW_INPUT_MALFORMED', `line ${line}: ${reason}`, { input: file });
}

/**
 * A `YYYY-MM-DD` field checked to be a real calendar date (2023-02-30 is refused: a typo in a
 * lifecycle file must not silently move an end of life).
 */
export function isoDate(value: string, file: string, line: number, field: string): IsoDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    if (d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])) {
      return value;
    }
  }
  throw malformedData(file, line, `${field}: "${value}" is not a date of the form YYYY-MM-DD`);
}

/** The instant a date starts, UTC: support "ending on D" is over from D 00:00 UTC. */
export function dayStart(date: IsoDate): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** Splits a comma-separated line of a file that never quotes (distro-info-data, our vendor tables). */
export function splitPlainCsv(d: DataLine, file: string): string[] {
  if (d.text.includes('"')) {
    throw malformedData(file, d.line, 'quoted fields are not used in this file; a `"` means the line is damaged');
  }
  return d.text.split(',').map((f) => f.trim());
}
