import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseOsReleaseText } from './parse-os-release-text.js';

const run = promisify(execFile);

/** Quoting cases sh reads the same way os-release(5) and systemd do (bare values have no blanks). */
const SHELL_COMPATIBLE = [
  ['PLAIN', 'PLAIN=debian', 'debian'],
  ['DQ', 'DQ="Debian GNU/Linux 12 (bookworm)"', 'Debian GNU/Linux 12 (bookworm)'],
  ['SQ', "SQ='single quoted'", 'single quoted'],
  ['DQ_ESC', 'DQ_ESC="say \\"hi\\" \\$HOME \\`x\\` \\\\ done"', 'say "hi" $HOME `x` \\ done'],
  ['DQ_KEEP', 'DQ_KEEP="a\\nb\\\'c"', "a\\nb\\'c"],
  ['SQ_RAW', "SQ_RAW='C:\\x \\\\ \"q\"'", 'C:\\x \\\\ "q"'],
  ['BARE_ESC', 'BARE_ESC=Foo\\ Bar\\"', 'Foo Bar"'],
  ['EMPTY', 'EMPTY=', ''],
  ['EMPTY_Q', 'EMPTY_Q=""', ''],
  ['CONCAT', `CONCAT="a b"'c d'e`, 'a bc de'],
  ['CONT', 'CONT="one \\\ntwo"', 'one two'],
  ['UTF8', 'UTF8="Ubuntu 24.04 “Noble”"', 'Ubuntu 24.04 “Noble”'],
] as const;

describe('parseOsReleaseText', () => {
  it('reads the os-release(5) quoting forms as sh does', async () => {
    const text = `# comment line\n\n${SHELL_COMPATIBLE.map(([, line]) => line).join('\n')}\n`;
    const fields = parseOsReleaseText(text);
    for (const [key, , expected] of SHELL_COMPATIBLE) expect(fields.get(key), key).toBe(expected);

    // Independent check: POSIX sh sourcing the same file must agree on every value.
    const dir = await mkdtemp(path.join(tmpdir(), 'pw-osr-'));
    try {
      const file = path.join(dir, 'os-release');
      await writeFile(file, text);
      const keys = SHELL_COMPATIBLE.map(([k]) => k);
      const script = `. "$1"; shift; for k in "$@"; do eval "printf '%s\\\\0' \\"\\$$k\\""; done`;
      const { stdout } = await run('sh', ['-c', script, 'sh', file, ...keys]);
      const fromShell = stdout.split('\0').slice(0, keys.length);
      expect(keys.map((k) => fields.get(k))).toEqual(fromShell);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('trims blanks around bare values, ignores non-assignments and keeps the last assignment', () => {
    const f = parseOsReleaseText('\uFEFFID=alpine   \n  VERSION_ID=3.20.1\nnot an assignment\n1BAD=x\nID=wolfi\n; comment\nNAME="unterminated');
    expect(f.get('ID')).toBe('wolfi');
    expect(f.get('VERSION_ID')).toBe('3.20.1');
    expect(f.has('1BAD')).toBe(false);
    expect(f.get('NAME')).toBe('unterminated');
    expect([...f.keys()].sort()).toEqual(['ID', 'NAME', 'VERSION_ID']);
  });

  it('accepts CRLF line ends', () => {
    const f = parseOsReleaseText('ID=rocky\r\nVERSION_ID="9.3"\r\n');
    expect(f.get('ID')).toBe('rocky');
    expect(f.get('VERSION_ID')).toBe('9.3');
  });
});
