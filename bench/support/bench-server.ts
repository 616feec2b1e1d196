/**
 * A real `patchwise server` in its own process for a benchmark: PGlite in a fresh data
 * directory, or a fresh database on the PostgreSQL at 127.0.0.1:5432 (dropped at the end, so the
 * tests' schemas on `test` stay untouched). The load generator runs in the bench's process, so
 * the server's CPU and memory can be read apart from it.
 *
 * Environment: PATCHWISE_BENCH_POSTGRES (the PostgreSQL URL), PATCHWISE_BENCH_KEEP=1 (keep the data), PATCHWISE_BENCH_SERVER_NODE_ARGS
 * (e.g. "--cpu-prof --cpu-prof-dir=bench/out/prof" to profile the server),
 * PATCHWISE_BENCH_LOG_STATEMENTS=1 (every statement's duration in PostgreSQL's log).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'packages/cli/bin/patchwise.js');
export const POSTGRES = process.env.PATCHWISE_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export type BenchDatabase = 'pglite' | 'postgres';

export interface BenchServerOptions {
  readonly db: BenchDatabase;
  readonly port: number;
  /** More `patchwise server` options, e.g. ['--checkin-interval', '60s']. */
  readonly serverArgs?: readonly string[];
  /** Prefix of the data directory and database names. */
  readonly name: string;
}

export class BenchServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** The admin token the server wrote at start. */
    readonly token: string,
    readonly dataDir: string,
    /** The fresh PostgreSQL database of this run (undefined on PGlite). */
    readonly database: string | undefined,
  ) {}

  /** The server process's id (for its CPU and memory). */
  get pid(): number {
    return this.child.pid as number;
  }

  /** Starts the server and waits until it listens (it writes server.json then). */
  static async start(o: BenchServerOptions): Promise<BenchServer> {
    const dataDir = join(tmpdir(), `pw-${o.name}-${randomBytes(4).toString('hex')}`);
    const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: undefined };
    let database: string | undefined;
    if (o.db === 'postgres') {
      database = `pw_bench_${randomBytes(4).toString('hex')}`;
      await withPostgres(async (c) => {
        await c.query(`create database ${database}`);
        // Every statement's duration in PostgreSQL's log (the log names the database on each line).
        if (process.env.PATCHWISE_BENCH_LOG_STATEMENTS === '1') await c.query(`alter database ${database} set log_min_duration_statement = 0`);
      });
      const url = new URL(POSTGRES);
      url.pathname = `/${database}`;
      env.DATABASE_URL = url.toString();
    }
    const nodeArgs = (process.env.PATCHWISE_BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    // Every simulated agent enrolls from 127.0.0.1: the per-address enrollment limit is lifted.
    const child = spawn(process.execPath, [...nodeArgs, BIN, 'server', '--data', dataDir, '--enroll-limit', '9999999', '--listen', `127.0.0.1:${o.port}`, ...(o.serverArgs ?? [])], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const server = new BenchServer(child, `http://127.0.0.1:${o.port}`, '', dataDir, database);
    try {
      for (let i = 0; !existsSync(join(dataDir, 'server.json')); i++) {
        if (i > 600 || child.exitCode !== null) throw new Error('the server did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    } catch (err) {
      await server.stop();
      throw err;
    }
    return new BenchServer(child, server.url, readFileSync(join(dataDir, 'admin-token'), 'utf8').trim(), dataDir, database);
  }

  /** A JSON call to the API, as the admin unless another bearer token is given; throws unless 2xx. */
  async api<T>(method: string, path: string, body?: unknown, token = this.token): Promise<T> {
    const res = await fetch(new URL(path, this.url), { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** POST of raw bytes with no client-side timeout: a feed import re-assesses the fleet before it answers. */
  upload(path: string, body: Buffer): Promise<{ status: number; text: string }> {
    return new Promise((resolvePromise, reject) => {
      const req = request(new URL(path, this.url), { method: 'POST', headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/octet-stream' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * Stops the server (SIGTERM; SIGKILL if it has not exited a minute later, so a server stuck
   * under load cannot hold the bench lock forever), removes its data and drops its database.
   */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    }
    // PATCHWISE_BENCH_KEEP=1 leaves the data behind for a look afterwards.
    if (process.env.PATCHWISE_BENCH_KEEP === '1') {
      console.log(`kept: ${this.database ? `database ${this.database}` : this.dataDir}`);
      return;
    }
    rmSync(this.dataDir, { recursive: true, force: true });
    const database = this.database;
    if (database) await withPostgres((c) => c.query(`drop database ${database}`));
  }
}

async function withPostgres<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: POSTGRES });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}
