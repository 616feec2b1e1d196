import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineColumn } from './json-error.js';

describe('jsonErrorOffset', () => {
  it.each([
    ['{"a":1}', -1],
    [' [1, -2.5e3, "x\\u00e9\\n", true, false, null, {}, []] ', -1],
    ['{"a":}', 5],
    ['{"a":1', 6],
    ['', 0],
    ['{"a":1}x', 7],
    ['{"a" 1}', 5],
    ['[1,]', 3],
    ['{,}', 1],
    ['["\\x"]', 3],
    ['["a\nb"]', 3],
    ['[01]', 2],
    ['[tru]', 1],
    ['{"a":1]', 6],
    ['[-]', 1],
  ])('%j → %d', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });

  it('agrees with JSON.parse on validity', () => {
    for (const t of ['{"a":[1,2,{"b":null}]}', '[1 2]', '{"a":"\\ud800"}', '"s"', '1e', '{"a":1,}']) {
      let valid = true;
      try {
        JSON.parse(t);
      } catch {
        valid = false;
      }
      expect(jsonErrorOffset(t) === -1, t).toBe(valid);
    }
  });

  it('copes with deep nesting without recursion', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(99_999);
    expect(jsonErrorOffset(deep)).toBe(deep.length);
  });
});

describe('lineColumn', () => {
  it('counts lines and columns from 1', () => {
    expect(lineColumn('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd\r\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\ncd\r\nef', 7)).toEqual({ line: 3, column: 1 });
  });
});
