import { resolve } from 'node:path';
import { PatchwiseError } from '@patchwise/core';

/**
 * Why the server could not start, as a person fixes it: the setting at fault and what to do.
 * Node's and PostgreSQL's own errors name a system call or a protocol state with a stack trace;
 * these name `--data`, `--listen` or `DATABASE_URL`. Anything not recognised is returned as it
 * came (a bug, whose stack is then worth reading).
 */
export function startFailure(err: unknown, step: StartStep): unknown {
  // The system's error may come wrapped (a failed migration keeps the connection error as its cause).
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const why = typeof code === 'string' ? STEP_FAILURES[step.kind][code] : undefined;
    if (why === undefined) continue;
    const errorCode = step.kind === 'database' ? 'PW_DATABASE' : 'PW_CONFIG_INVALID';
    const path = (e as { path?: unknown }).path;
    return new PatchwiseError(errorCode, why(step, e.message, typeof path === 'string' ? path : undefined), { input: settingOf(step), cause: err });
  }
  return err;
}

export type StartStep =
  | { readonly kind: 'data'; readonly dataDir: string }
  | { readonly kind: 'listen'; readonly host: string; readonly port: number }
  | { readonly kind: 'database'; readonly url: string };

/** The reason, from the step, the system's message and the path the system call failed on (a parent of `--data`, say). */
type Explain = (step: StartStep, message: string, path: string | undefined) => string;

/** PostgreSQL's SQLSTATEs for a missing database and refused credentials; node's for the network. */
const STEP_FAILURES: Readonly<Record<StartStep['kind'], Readonly<Record<string, Explain>>>> = {
  data: {
    EEXIST: (s, _m, path) => (path === undefined || s.kind !== 'data' || path === resolve(s.dataDir) ? 'is not a directory' : `${path} is in the way: not a directory (a file, or a symbolic link to nothing)`),
    ENOTDIR: () => 'is not a directory (a part of its path is a file)',
    // makeDirectories made every missing parent, so ENOENT is the file system refusing the entry.
    ENOENT: () => 'cannot be created or written here: the file system takes no new files there (as /proc does not)',
    ELOOP: () => 'cannot be reached: its path has a loop of symbolic links',
    EACCES: () => 'cannot be created or written here (permission denied)',
    EPERM: () => 'cannot be created or written here (operation not permitted)',
    EROFS: () => 'is on a read-only file system',
    ENOSPC: () => 'is on a full disk',
  },
  listen: {
    EADDRINUSE: () => 'the address is already in use: another Patchwise server, or another program, listens there (choose another with --listen HOST:PORT)',
    EACCES: (s) => `not allowed to listen on port ${s.kind === 'listen' ? s.port : ''} (ports below 1024 need root)`,
    EADDRNOTAVAIL: () => 'is not an address of this machine',
    ENOTFOUND: () => 'the host name does not resolve',
  },
  database: {
    ECONNREFUSED: () => 'cannot connect to PostgreSQL (connection refused): is it running, on that host and port?',
    ENOTFOUND: () => 'cannot connect to PostgreSQL: no such host name',
    ETIMEDOUT: () => 'cannot connect to PostgreSQL: the connection timed out',
    EHOSTUNREACH: () => 'cannot connect to PostgreSQL: host unreachable',
    '3D000': (_s, m) => `${m} (create it first, e.g. createdb)`,
    '28P01': (_s, m) => m,
    '28000': (_s, m) => m,
  },
};

function settingOf(step: StartStep): string {
  switch (step.kind) {
    case 'data':
      return `--data ${step.dataDir}`;
    case 'listen':
      return `--listen ${step.host}:${step.port}`;
    case 'database':
      return `DATABASE_URL ${withoutPassword(step.url)}`;
  }
}

/** The URL as it may be printed: a password in it is replaced by `***`. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}
