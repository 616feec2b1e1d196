import { describe, expect, it } from 'vitest';
import { malformed, splitLines } from './lines.js';

describe('splitLines', () => {
  it('splits LF and CRLF and drops a byte-order mark', () => {
    expect(splitLines('\ufeffa\r\nb\nc')).toEqual(['a', 'b', 'c']);
    expect(splitLines('')).toEqual(['']);
  });
});

describe('malformed', () => {
  it('names the input and the line', () => {
    const err = malformed('f.txt', 7, 'bad');
    expect(err.code).toBe('PW_INPUT_MALFORMED');
    expect(err.message).toBe('f.txt: line 7: bad');
  });
});
