/**
 * Where a JSON text first goes wrong. V8's JSON.parse gives a position for some errors only
 * ("Unexpected token '}', … is not valid JSON" has none), and a user fixing a 40 MB SBOM needs a
 * line and column. This scanner runs only after JSON.parse has failed, so it favours being small
 * and iterative (deep nesting cannot overflow the stack) over being fast.
 */

/** Offset of the first character that makes `text` invalid JSON, or -1 if it is valid. */
export function jsonErrorOffset(text: string): number {
  const n = text.length;
  const stack: boolean[] = []; // true: inside an object, false: inside an array
  type State = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'after';
  let state: State = 'value';
  let i = 0;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return state === 'after' && stack.length === 0 ? -1 : n;
    const c = text[i];
    switch (state) {
      case 'value':
      case 'valueOrEnd': {
        if (c === ']' && state === 'valueOrEnd') {
          stack.pop();
          state = 'after';
          i++;
        } else if (c === '{') {
          stack.push(true);
          state = 'keyOrEnd';
          i++;
        } else if (c === '[') {
          stack.push(false);
          state = 'valueOrEnd';
          i++;
        } else {
          const end = c === '"' ? scanString(text, i) : c === '-' || isDigit(c) ? scanNumber(text, i) : scanLiteral(text, i);
          if (end < 0) return -end - 1;
          i = end;
          state = 'after';
        }
        break;
      }
      case 'key':
      case 'keyOrEnd': {
        if (c === '}' && state === 'keyOrEnd') {
          stack.pop();
          state = 'after';
          i++;
          break;
        }
        if (c !== '"') return i;
        const end = scanString(text, i);
        if (end < 0) return -end - 1;
        i = end;
        state = 'colon';
        break;
      }
      case 'colon':
        if (c !== ':') return i;
        i++;
        state = 'value';
        break;
      case 'after': {
        if (stack.length === 0) return i;
        const inObject = stack[stack.length - 1] === true;
        if (c === ',') state = inObject ? 'key' : 'value';
        else if ((c === '}' && inObject) || (c === ']' && !inObject)) stack.pop();
        else return i;
        i++;
        break;
      }
    }
  }
}

/** 1-based line and column of an offset, counting `\n` as the line break. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

// The scanners return the offset just past the token, or -(errorOffset + 1).

function scanString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 0x20) return -i - 1;
    if (c === 92) {
      const e = text[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return -(i + 1) - 1;
        i += 5;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
        i++;
      } else {
        return -(i + 1) - 1;
      }
    }
  }
  return -text.length - 1;
}

function scanNumber(text: string, start: number): number {
  const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  m.lastIndex = start;
  const found = m.exec(text);
  if (!found || found[0] === '-' || found[0] === '') return -start - 1;
  return start + found[0].length;
}

function scanLiteral(text: string, start: number): number {
  for (const word of ['true', 'false', 'null']) {
    if (text.startsWith(word, start)) return start + word.length;
  }
  return -start - 1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
