import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { quoteShellWord, remoteCommandLine } from './remote-command-line.js';

const run = promisify(execFile);

/** Words a shell would otherwise act on: substitutions, separators, quotes, globs, expansions, blanks. */
const HOSTILE_WORDS = [
  '$(id)',
  '`id`',
  'a; echo injected',
  'a && echo injected',
  'a | cat',
  '> /tmp/x',
  "it's",
  "''",
  "'",
  '"double" quotes',
  'line one\nline two',
  '*',
  '/etc/*',
  '~',
  '$HOME',
  '${PATH}',
  '\\',
  '\\n',
  '!bang',
  '{a,b}',
  '#comment',
  '-n',
  '',
  '  spaced  ',
  '\ttab',
  'ünïcødé ✓',
];

describe('quoteShellWord', () => {
  it('single-quotes every word and writes a quote as end-quote, escaped quote, start-quote', () => {
    expect(quoteShellWord('plain')).toBe("'plain'");
    expect(quoteShellWord('')).toBe("''");
    expect(quoteShellWord("it's")).toBe("'it'\\''s'");
    expect(quoteShellWord('$(id)')).toBe("'$(id)'");
  });
});

describe('remoteCommandLine', () => {
  it('quotes every word and passes variables through env(1)', () => {
    expect(remoteCommandLine(['apt-get', 'install', '-y', 'libc6=2.36-9'])).toBe("exec 'apt-get' 'install' '-y' 'libc6=2.36-9' </dev/null");
    expect(remoteCommandLine(['dpkg', '-l'], { LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' })).toBe("exec 'env' 'LC_ALL=C' 'DEBIAN_FRONTEND=noninteractive' 'dpkg' '-l' </dev/null");
  });

  it('refuses what cannot be sent literally, naming the word', () => {
    expect(() => remoteCommandLine([])).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
    expect(() => remoteCommandLine(['echo', 'a\0b'])).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', message: expect.stringContaining('argv[1]') }));
    for (const name of ['lower', '1ABC', 'A-B', 'A B', '', 'A=B', "A'B"]) {
      expect(() => remoteCommandLine(['true'], { [name]: 'x' }), name).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
    }
    expect(() => remoteCommandLine(['true'], { A: 'x\0' })).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', message: expect.stringContaining('env A') }));
    expect(() => remoteCommandLine(['A=1', 'x'], { B: '2' })).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', message: expect.stringContaining('argv[0]') }));
    expect(() => remoteCommandLine(['-i', 'x'], { B: '2' })).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
  });

  // What sshd does with the string: `$SHELL -c STRING`. Every POSIX shell here must see the words as given.
  const shells = ['/bin/sh', '/bin/dash', '/bin/bash', '/usr/bin/zsh', '/bin/busybox'].filter((s) => existsSync(s));
  it.each(shells)('round-trips hostile words and variable values through %s -c', async (shell) => {
    const prefix = shell.endsWith('busybox') ? ['sh'] : [];
    const line = remoteCommandLine(['printf', '%s\\0', ...HOSTILE_WORDS], { PW_VALUE: HOSTILE_WORDS.join('|') });
    const { stdout } = await run(shell, [...prefix, '-c', line], { env: { PATH: '/usr/bin:/bin' } });
    expect(stdout.split('\0').slice(0, -1)).toEqual(HOSTILE_WORDS);
    const env = await run(shell, [...prefix, '-c', remoteCommandLine(['printenv', 'PW_VALUE'], { PW_VALUE: "$(id) 'q' `x`\nnext" })], { env: { PATH: '/usr/bin:/bin' } });
    expect(env.stdout).toBe("$(id) 'q' `x`\nnext\n");
  });
});
