/**
 * os-release(5) assignments, read the way systemd reads them (src/basic/env-file.c), since the
 * file is meant for both shells and systemd: `KEY=value` lines; values in double quotes,
 * single quotes or bare; shell-style backslash escapes. Precisely:
 * - in double quotes, `\` escapes only `"`, `\`, `` ` `` and `$`; before any other character it
 *   stays (`"a\nb"` is `a\nb`, four characters, as in sh);
 * - in single quotes nothing is an escape (`'C:\x'` is `C:\x`);
 * - bare values drop the backslash before any character (`Foo\ Bar` is `Foo Bar`) and lose
 *   trailing blanks;
 * - a backslash before a line break continues the value on the next line;
 * - lines starting with `#` are comments, lines that are not assignments are ignored;
 * - `"a"'b'` yields `ab` (systemd accepts it although os-release(5) does not promise it).
 *
 * One reader for the agent's facts and for os-release files given to `patchwise scan`.
 */

type State = 'preKey' | 'key' | 'preValue' | 'value' | 'valueEscape' | 'single' | 'double' | 'doubleEscape' | 'comment';

const SHELL_NEED_ESCAPE = '"\\`$';
const BLANK = ' \t';
const VALID_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses os-release text into its assignments (later assignments of a key win). Never throws:
 * malformed lines are ignored, as systemd ignores them. A leading byte-order mark is dropped.
 */
export function parseOsReleaseText(text: string): ReadonlyMap<string, string> {
  const fields = new Map<string, string>();
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let state: State = 'preKey';
  let key = '';
  let value = '';
  // Length of `value` before trailing blanks of a bare value; -1 when it has none to trim.
  let trimAt = -1;

  const push = (): void => {
    const k = key.trimEnd();
    if (VALID_KEY.test(k)) fields.set(k, trimAt >= 0 ? value.slice(0, trimAt) : value);
    key = '';
    value = '';
    trimAt = -1;
  };

  for (const c of body) {
    const newline = c === '\n' || c === '\r';
    switch (state) {
      case 'preKey':
        if (c === '#' || c === ';') state = 'comment';
        else if (!newline && !BLANK.includes(c)) {
          key = c;
          state = 'key';
        }
        break;
      case 'key':
        if (newline) {
          // A line without `=` is not an assignment.
          key = '';
          state = 'preKey';
        } else if (c === '=') state = 'preValue';
        else key += c;
        break;
      case 'preValue':
        if (newline) {
          push();
          state = 'preKey';
        } else if (c === "'") state = 'single';
        else if (c === '"') state = 'double';
        else if (c === '\\') state = 'valueEscape';
        else if (!BLANK.includes(c)) {
          value += c;
          trimAt = -1;
          state = 'value';
        }
        break;
      case 'value':
        if (newline) {
          push();
          state = 'preKey';
        } else if (c === '\\') {
          trimAt = -1;
          state = 'valueEscape';
        } else {
          value += c;
          if (!BLANK.includes(c)) trimAt = -1;
          else if (trimAt < 0) trimAt = value.length - 1;
        }
        break;
      case 'valueEscape':
        // Backslash-newline continues the value; any other escaped character is kept as is.
        if (!newline) value += c;
        trimAt = -1;
        state = 'value';
        break;
      case 'single':
        if (c === "'") state = 'preValue';
        else value += c;
        break;
      case 'double':
        if (c === '"') state = 'preValue';
        else if (c === '\\') state = 'doubleEscape';
        else value += c;
        break;
      case 'doubleEscape':
        if (SHELL_NEED_ESCAPE.includes(c)) value += c;
        else if (!newline) value += `\\${c}`;
        state = 'double';
        break;
      case 'comment':
        if (newline) state = 'preKey';
        break;
    }
  }
  if (state !== 'preKey' && state !== 'comment' && state !== 'key') push();
  return fields;
}
