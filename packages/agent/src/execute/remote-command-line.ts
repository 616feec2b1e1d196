/**
 * The one string an SSH `exec` request carries. sshd hands it to the remote user's shell
 * (`$SHELL -c STRING`), so every word is quoted POSIX-style: wrapped in single quotes, inside
 * which no character is special, and each `'` written as `'\''` (end the quoted part, an escaped
 * quote, start a new quoted part). The shell then sees exactly the argument vector given:
 * `$(…)`, backticks, `;`, globs, newlines and quotes arrive as literal characters.
 *
 * The only unquoted text is `exec ` in front and ` </dev/null` behind. `exec` makes the shell
 * become the program instead of waiting for it, so the program's own exit status or signal is
 * what SSH reports (a shell would turn SIGTERM into status 143). `</dev/null` gives the program
 * no input (one reading stdin sees end of file instead of waiting) while the channel's own input
 * side stays open, because SSH clients send signals (a timeout's SIGKILL) only on such a channel.
 */
import { PatchwiseError } from '@patchwise/core';

/** Environment variable names a runner accepts: upper-case letters, digits and `_`, not starting with a digit. */
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** One word, single-quoted for a POSIX shell (`it's` → `'it'\''s'`; the empty word → `''`). */
export function quoteShellWord(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/** See the top of this file. */
const EXEC = 'exec ';
const NO_INPUT = ' </dev/null';

/**
 * The command line for `argv` with `env` set for that command only:
 * `exec 'env' 'NAME=value' … 'prog' 'arg' … </dev/null`.
 * Variables go through env(1) on the remote side rather than SSH's `env` request, which sshd
 * refuses unless its AcceptEnv lists the name.
 *
 * Throws PW_INPUT_INVALID (naming the word) for an empty argv, a NUL character anywhere (a C
 * string cannot carry it), an invalid variable name, and, with variables, a program name that
 * env(1) would read as an assignment or an option (`A=1`, `-i`).
 */
export function remoteCommandLine(argv: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  if (argv.length === 0) throw new PatchwiseError('PW_INPUT_INVALID', 'the argument vector is empty: nothing to run', { input: 'command' });
  argv.forEach((word, i) => {
    if (word.includes('\0')) throw new PatchwiseError('PW_INPUT_INVALID', 'contains a NUL character, which no program argument can carry', { input: `argv[${i}]` });
  });
  const assignments = Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new PatchwiseError('PW_INPUT_INVALID', 'is not an environment variable name (A–Z, 0–9 and _, not starting with a digit)', { input: `env ${JSON.stringify(name)}` });
    if (value.includes('\0')) throw new PatchwiseError('PW_INPUT_INVALID', 'contains a NUL character', { input: `env ${name}` });
    return `${name}=${value}`;
  });
  if (assignments.length === 0) return EXEC + argv.map(quoteShellWord).join(' ') + NO_INPUT;
  const program = argv[0] as string;
  if (program.includes('=') || program.startsWith('-')) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'a program name with "=" or a leading "-" would be read by env(1) as an assignment or an option', { input: 'argv[0]' });
  }
  return EXEC + ['env', ...assignments, ...argv].map(quoteShellWord).join(' ') + NO_INPUT;
}
