/**
 * How job executors run programs on a host: an argument vector, never a shell string. The local
 * runner uses execFile; a chroot runner prefixes `chroot ROOT`; the SSH runner (agentless mode)
 * sends the vector quoted word by word. Non-zero exits are results, not exceptions, so every
 * command's status and output can be kept with the job.
 */
import type { CommandRecord } from '@patchwise/core';

export interface CommandRunOptions {
  /** Milliseconds before the program is killed (default 10 minutes). */
  readonly timeoutMs?: number;
  /** Extra environment variables (names and values are validated by the runner). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Bytes of stdout and of stderr kept in the record, each the last ones (default 64 KiB). A
   * collector reading a package database asks for more; a runner must keep at least this much.
   */
  readonly maxOutputBytes?: number;
}

export interface CommandRunner {
  /** Where commands run, for logs and records: `local`, `chroot:/srv/h1`, `ssh:root@10.0.0.2:22`. */
  readonly description: string;
  /** Runs `argv` and resolves with its record (`step` as given), whatever the exit status. */
  run(step: string, argv: readonly string[], options?: CommandRunOptions): Promise<CommandRecord>;
}
