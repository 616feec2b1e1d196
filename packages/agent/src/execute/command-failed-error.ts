import type { CommandRecord } from '@patchwise/core';

/**
 * A job command that failed by its tool's own rules (apt-get's 100, zypper's 107 "a package
 * script failed", a program that could not start). Thrown by drivers so the job can stop, roll
 * back and report the failing command; the record itself is already in the job's command list.
 */
export class CommandFailedError extends Error {
  constructor(
    readonly record: CommandRecord,
    reason?: string,
  ) {
    super(`${record.argv.join(' ')}: ${reason ?? describeExit(record)}${outputTail(record)}`);
    this.name = 'CommandFailedError';
  }
}

/** `exit 100`, `killed by SIGKILL`, or `could not start`. */
export function describeExit(record: CommandRecord): string {
  if (record.exitCode !== null) return `exit ${record.exitCode}`;
  if (record.signal !== null) return `killed by ${record.signal}`;
  return 'could not start';
}

/** The last lines of stderr (else stdout): where package managers print their error. */
function outputTail(record: CommandRecord): string {
  const text = (record.stderr.trim() || record.stdout.trim()).split('\n').slice(-5).join('\n');
  return text === '' ? '' : `: ${text}`;
}
