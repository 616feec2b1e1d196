/**
 * The real Patchwise server, started in-process through its composition root (`startServer`) on
 * a loopback port, over the embedded PGlite or a PostgreSQL server, and spoken to over real HTTP
 * as an operator would (admin token from the file the server writes).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseServerConfig, startServer, type RunningServer } from '@patchwise/server';
import { POSTGRES_URL } from '../../../packages/server/test/support/test-database.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface ApiReply<T> {
  readonly status: number;
  readonly body: T;
}

export interface E2eServer {
  readonly kind: DatabaseKind;
  readonly url: string;
  /** For PostgreSQL: the schema this server's tables live in (created fresh, dropped on close). */
  readonly schema: string | undefined;
  /** The admin token the server wrote, for running the CLI against it (PATCHWISE_TOKEN). */
  readonly adminToken: string;
  /** An admin API call; the body is sent as JSON, or as-is (application/octet-stream) when a Buffer. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiReply<T>>;
  /** The same with another person's API token. */
  apiAs<T = unknown>(token: string, method: string, path: string, body?: unknown): Promise<ApiReply<T>>;
  close(): Promise<void>;
}

export interface E2eServerOptions {
  /** The server's clock (tests move time instead of waiting for it). */
  readonly clock?: () => Date;
  /** Address to listen on (default 127.0.0.1:0); `0.0.0.0:0` for hosts in network namespaces. */
  readonly listen?: string;
  /** How often the rollout engine ticks (default the server's 2 s). */
  readonly engineTickMs?: number;
  /** The server's log lines (default: none kept). */
  readonly log?: (line: string) => void;
}

/** Starts a server with a fresh data directory and (for PostgreSQL) a fresh schema. */
export async function startE2eServer(kind: DatabaseKind, options: E2eServerOptions = {}): Promise<E2eServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'patchwise-e2e-server-'));
  let schema: string | undefined;
  let server: RunningServer | undefined;
  try {
    const env: Record<string, string> = {};
    if (kind === 'pglite') {
      // The run's migrated template (vitest globalSetup) instead of a fresh initdb: seconds and
      // ~800 MB saved. The server still opens it, migrates (nothing to do) and owns it.
      const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
      if (template) cpSync(template, join(dataDir, 'pglite'), { recursive: true });
    } else {
      schema = `pw_e2e_${randomBytes(6).toString('hex')}`;
      await onPostgres((c) => c.query(`create schema ${schema}`));
      env.DATABASE_URL = withSearchPath(POSTGRES_URL, schema);
    }
    // `env` is explicit so a DATABASE_URL in the developer's shell cannot redirect the PGlite run.
    server = await startServer(parseServerConfig({ data: dataDir, listen: options.listen ?? '127.0.0.1:0', env }), {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.engineTickMs ? { engineTickMs: options.engineTickMs } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    if (schema) await assertTablesIn(schema);
    const adminToken = readFileSync(server.adminTokenPath, 'utf8').trim();
    const running = server;
    return {
      kind,
      url: running.url,
      schema,
      adminToken,
      api: (method, path, body) => call(running.url, adminToken, method, path, body),
      apiAs: (token, method, path, body) => call(running.url, token, method, path, body),
      close: async () => {
        await running.close();
        rmSync(dataDir, { recursive: true, force: true });
        if (schema) await onPostgres((c) => c.query(`drop schema ${schema} cascade`));
      },
    };
  } catch (err) {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) await onPostgres((c) => c.query(`drop schema if exists ${schema} cascade`));
    throw err;
  }
}

/**
 * `startServer` takes a URL only; node-postgres passes a URL's `options` parameter to the server
 * as start-up options, so `-c search_path=<schema>` puts every table of this run in its schema.
 */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Fails loudly if the search_path was ignored (the tables would then sit in the shared `public`). */
async function assertTablesIn(schema: string): Promise<void> {
  const { rows } = await onPostgres((c) =>
    c.query<{ n: string }>(`select count(*) as n from information_schema.tables where table_schema = $1 and table_name = 'hosts_hosts'`, [schema]),
  );
  if (Number(rows[0]?.n) !== 1) throw new Error(`the server did not create its tables in schema ${schema}: the URL's search_path option was ignored`);
}

async function onPostgres<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function call<T>(baseUrl: string, token: string, method: string, path: string, body: unknown): Promise<ApiReply<T>> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let payload: string | Buffer | undefined;
  if (Buffer.isBuffer(body)) {
    headers['content-type'] = 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(new URL(path, baseUrl), { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
