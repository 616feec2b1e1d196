/**
 * The bytes of a CMDB export as text. Spreadsheets save in several encodings: UTF-8 with or
 * without a byte-order mark, UTF-16 with one ("Unicode Text"), and Windows-1252 in older
 * Excels. The first two are decoded; anything that is not valid UTF-8 is refused with the line
 * it breaks on, because guessing a legacy code page would import names silently changed.
 */
import { PatchwiseError } from '../errors/index.js';

const UTF16_BOMS: readonly { bytes: readonly [number, number]; encoding: 'utf-16le' | 'utf-16be' }[] = [
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/**
 * Decodes UTF-8 (a byte-order mark dropped) or UTF-16 with a byte-order mark. Throws
 * PW_INPUT_MALFORMED naming `source`, the encoding fault and its line for anything else.
 */
export function decodeCmdbText(bytes: Uint8Array, source: string): string {
  for (const { bytes: [a, b], encoding } of UTF16_BOMS) {
    if (bytes[0] === a && bytes[1] === b) {
      try {
        return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
      } catch (err) {
        throw new PatchwiseError('PW_INPUT_MALFORMED', `not valid ${encoding.toUpperCase()} text (it starts with that byte-order mark); save it as UTF-8`, { input: source, cause: err });
      }
    }
  }
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    const text = utf8.decode(bytes);
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      throw new PatchwiseError('PW_INPUT_MALFORMED', `line ${lineAt(text, nul)}: contains NUL characters (UTF-16 without a byte-order mark?); save it as UTF-8`, { input: source });
    }
    return text;
  } catch (err) {
    if (err instanceof PatchwiseError) throw err;
    const line = firstInvalidLine(bytes);
    throw new PatchwiseError('PW_INPUT_MALFORMED', `line ${line}: not valid UTF-8 (a legacy encoding such as Windows-1252?); save it as UTF-8`, { input: source, cause: err });
  }
}

/** 1-based line of `index`, counting CRLF, LF and CR alone as one break each. */
function lineAt(text: string, index: number): number {
  return (text.slice(0, index).match(/\r\n?|\n/g) ?? []).length + 1;
}

/**
 * The first line whose bytes are not UTF-8. CR and LF bytes never occur inside a multi-byte UTF-8
 * sequence, so each line can be checked on its own.
 */
function firstInvalidLine(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    const b = bytes[i];
    if (i < bytes.length && b !== 0x0a && b !== 0x0d) continue;
    try {
      decoder.decode(bytes.subarray(start, i));
    } catch {
      return line;
    }
    // CRLF is one break.
    if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
    line++;
    start = i + 1;
  }
  return line;
}
