/**
 * The real `patchwise server` as its own process, over PostgreSQL (a fresh schema) or over the
 * embedded PGlite (a data directory of its own, as `npm start` runs it), so a test can kill it
 * with SIGKILL at any moment and start it again on the same database, data directory and port,
 * as an operator's service manager would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { POSTGRES_URL } from '../../../packages/server/test/support/test-database.js';
import { withSearchPath, type ApiReply, type DatabaseKind } from './e2e-server.js';

const REPO = resolve(import.meta.dirname, '../../..');
export const PATCHWISE_BIN = resolve(REPO, 'packages/cli/bin/patchwise.js');

export interface ServerProcess {
  readonly kind: DatabaseKind;
  readonly port: number;
  /** The server's URL as seen from this namespace. */
  readonly url: string;
  /** Its `--data` directory (on PGlite the database lives in `pglite/` under it). */
  readonly dataDir: string;
  /** On PostgreSQL, the schema its tables live in. */
  readonly schema: string | undefined;
  /** The running process's id (changes with each restart). */
  readonly pid: number;
  readonly output: string[];
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiReply<T>>;
  apiAs<T = unknown>(token: string, method: string, path: string, body?: unknown): Promise<ApiReply<T>>;
  /** SIGKILL, no shutdown of any kind; resolves when the process is gone. */
  kill9(): Promise<void>;
  /** Starts it again on the same database, data directory and port; resolves when it answers. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface ServerProcessOptions {
  /** PostgreSQL (default: a fresh schema at POSTGRES_URL) or PGlite in the data directory. */
  readonly database?: DatabaseKind;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '0.0.0.0', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });
}

export async function startServerProcess(args: readonly string[] = [], options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const kind = options.database ?? 'postgres';
  const data = mkdtempSync(join(tmpdir(), 'patchwise-server-'));
  // A DATABASE_URL in the shell running the tests must not turn a PGlite server into a PostgreSQL one.
  const { DATABASE_URL: _ignored, ...env } = process.env;
  let schema: string | undefined;
  if (kind === 'postgres') {
    schema = `pw_e2e_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    env.DATABASE_URL = withSearchPath(POSTGRES_URL, schema);
  } else {
    // The run's migrated template (vitest globalSetup) instead of a first-start initdb (seconds,
    // ~800 MB); the server opens it, migrates (nothing to do) and owns it from then on.
    const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
    if (template) cpSync(template, join(data, 'pglite'), { recursive: true });
  }
  const port = await freePort();
  const output: string[] = [];
  let child: ChildProcess | undefined;

  const start = async () => {
    const c = spawn(process.execPath, [PATCHWISE_BIN, 'server', '--data', data, '--listen', `0.0.0.0:${port}`, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.on('data', (b: Buffer) => output.push(b.toString()));
    c.stderr.on('data', (b: Buffer) => output.push(b.toString()));
    child = c;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`the server exited ${c.exitCode ?? c.signalCode}:\n${output.join('')}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok && existsSync(join(data, 'admin-token'))) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the server did not answer within a minute:\n${output.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };
  try {
    await start();
  } catch (err) {
    await stop('SIGKILL');
    await dispose();
    throw err;
  }
  async function dispose(): Promise<void> {
    rmSync(data, { recursive: true, force: true });
    if (!schema) return;
    const c = new pg.Client({ connectionString: POSTGRES_URL });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  }
  const call = async <T>(token: string | undefined, method: string, path: string, body?: unknown): Promise<ApiReply<T>> => {
    const auth = token ?? readFileSync(join(data, 'admin-token'), 'utf8').trim();
    const res = await fetch(new URL(path, `http://127.0.0.1:${port}`), { method, headers: { authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    kind,
    port,
    url: `http://127.0.0.1:${port}`,
    dataDir: data,
    schema,
    get pid() {
      return child?.pid ?? -1;
    },
    output,
    api: (method, path, body) => call(undefined, method, path, body),
    apiAs: (token, method, path, body) => call(token, method, path, body),
    kill9: () => stop('SIGKILL'),
    restart: start,
    close: async () => {
      await stop('SIGTERM');
      await dispose();
    },
  };
}
