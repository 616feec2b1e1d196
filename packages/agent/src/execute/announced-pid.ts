/**
 * How the SSH runner learns the remote process id of each command, so that a timeout can kill it.
 *
 * OpenSSH delivers SSH signal requests only from a privilege-separated session, and a root login
 * has none ("session signalling requires privilege separation"), while closing the channel of a
 * command without a terminal leaves the command running. So each command line starts with
 * `echo "patchwise-pid:$$" >&2; exec …`: the shell names its process id, then becomes the program
 * (same id; sshd made it a process group leader with setsid). The runner takes that line out of
 * stderr and, on timeout, runs `env kill -s KILL -- -PID` (the whole group: apt-get's dpkg too),
 * falling back to the shell's builtin on the process alone where no kill program takes `--`.
 */

/** Prepended to every command line; `$$` is the only thing the remote shell expands in it. */
export const ANNOUNCE_PID = 'echo "patchwise-pid:$$" >&2; ';

const MARKER = /(?:^|\n)patchwise-pid:(\d+)\n/;
/** Startup files may print before the marker; past this much stderr the marker is not coming. */
const MAX_SEARCH_BYTES = 64 * 1024;

/** The command that kills process group `pid` (and, failing that, the process itself). */
export function killCommand(pid: number): string {
  if (!Number.isSafeInteger(pid) || pid <= 1) throw new Error(`not a process id: ${pid}`);
  return `env kill -s KILL -- -${pid} 2>/dev/null || kill -s KILL ${pid}`;
}

/**
 * Filters a command's stderr: finds the marker line, remembers the id and passes on what the
 * program wrote after it. What came before it is the login shell's (its startup files, sshd's
 * notices), not the program's, and is left out: callers read a failed command's stderr to tell
 * "no such file" from "cannot read", and a startup file that prints `…: No such file or
 * directory` on every session (a `. ~/.cargo/env` of a file long gone) would otherwise make every
 * unreadable package database look absent, and its packages removed. Without a marker (the shell
 * failed before it) everything is passed on.
 */
export class AnnouncedPid {
  pid: number | undefined;
  private pending: Buffer | undefined = Buffer.alloc(0);

  /** Takes a stderr chunk; returns the bytes that belong to the program's stderr. */
  take(chunk: Buffer): Buffer {
    if (this.pending === undefined) return chunk;
    const seen = Buffer.concat([this.pending, chunk]);
    const match = MARKER.exec(seen.toString('latin1')); // latin1: string offsets are byte offsets
    if (match) {
      this.pid = Number(match[1]);
      this.pending = undefined;
      return seen.subarray(match.index + match[0].length);
    }
    if (seen.length > MAX_SEARCH_BYTES) {
      this.pending = undefined;
      return seen;
    }
    this.pending = seen;
    return Buffer.alloc(0);
  }

  /** What is held back while looking for the marker (at the end of the stream, or when giving up). */
  flush(): Buffer | undefined {
    const held = this.pending;
    this.pending = undefined;
    return held && held.length > 0 ? held : undefined;
  }
}
