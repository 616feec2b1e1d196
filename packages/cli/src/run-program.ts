import { CommanderError, type Command } from 'commander';
import { isPatchwiseError } from '@patchwise/core/assessment';

/**
 * Runs a command tree built with `exitOverride()` (the CLI's, or the packaged agent's); usage and
 * input errors print one line prefixed with `name` (no stack) and exit 2.
 */
export async function runProgram(program: Command, argv: readonly string[], name: string): Promise<void> {
  endQuietlyWhenStdoutCloses(process.stdout);
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end "with an error" in commander's exitOverride mode; they succeeded.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isClosedPipe(err)) {
      process.exitCode = 0;
      return;
    }
    if (isPatchwiseError(err)) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

const isClosedPipe = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'EPIPE';

/**
 * `patchwise … | head`: once the reader has gone, nothing more can be said to it, so the command
 * ends at once with status 0, as a Unix tool ended by SIGPIPE does in a pipeline, and without
 * the stack trace an unhandled EPIPE would print. Every command writes through process.stdout,
 * so this one listener covers the whole CLI (the only place that calls process.exit: the
 * command cannot be left to run on, writing to a closed pipe or waiting for a 'drain' that
 * never comes).
 */
function endQuietlyWhenStdoutCloses(stdout: NodeJS.WriteStream): void {
  stdout.on('error', (err) => {
    if (isClosedPipe(err)) process.exit(0);
    throw err;
  });
}
