/**
 * Diagnostic benchmark: where one full inventory upload's time goes (issue 3, point 10). Uploads
 * N synthetic 1,000-package inventories (the fleet-load fleet, seed 1) one after another through
 * `ControlPlane.putInventory` on a fresh schema of the PostgreSQL at 127.0.0.1:5432, with the
 * AlmaLinux feed imported, and reports per upload: wall time, this process's CPU time, findings
 * opened, and the time inside each phase (parse, assess, the snapshot, the findings sync, the
 * audit event) and each SQL statement. Sequential on purpose: no contention, so the phases add up
 * to the wall time and the SQL times are the database's answer times.
 *
 *   flock /tmp/patchwise-bench.lock node --import tsx bench/upload-phases.ts [--uploads 400]
 *
 * The phases are timed by wrapping the methods on their prototypes for this process only.
 *
 * With `--concurrency C` (C > 1) the uploads go C at a time, as concurrent agents' do, and the
 * bench reports instead what one upload costs then: this process's CPU and PostgreSQL's (no
 * HTTP, signatures or load generator: the store path alone), and the uploads per second.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { AuditStore, EMPTY_ATTRIBUTES, FindingsStore, HostStore, migrateToLatest, openDatabase } from '@patchwise/core';
import { ALMA_FEED, SimulatedAgent, SyntheticFleet } from '@patchwise/simulator';
import { Assessor } from '../packages/server/src/assessor.js';
import { ControlPlane } from '../packages/server/src/control-plane.js';
import { tablesOf, type Database } from '../packages/server/src/database.js';
import { PostgresCpu } from './support/process-usage.js';

const URL = process.env.PATCHWISE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const { values } = parseArgs({ options: { uploads: { type: 'string' }, concurrency: { type: 'string' } } });
const uploads = Number(values.uploads ?? 400);
const concurrency = Number(values.concurrency ?? 1);

const spent = new Map<string, number>();
const add = (label: string, ms: number) => spent.set(label, (spent.get(label) ?? 0) + ms);

/** Replaces `proto[name]` with a version that adds its time (to its promise's end) under `label`. */
function timeMethod(proto: object, name: string, label = name): void {
  const target = proto as Record<string, (...args: unknown[]) => unknown>;
  const original = target[name];
  if (typeof original !== 'function') throw new Error(`no method ${name} to time`);
  target[name] = function (this: unknown, ...args: unknown[]) {
    const start = performance.now();
    const result = original.apply(this, args);
    if (result instanceof Promise) return result.finally(() => add(label, performance.now() - start));
    add(label, performance.now() - start);
    return result;
  };
}

/** Times every statement the pg driver sends, by its first 60 characters. */
function timeStatements(): void {
  const client = pg.Client.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const query = client.query as (...args: unknown[]) => unknown;
  client.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first.text ?? '?');
    const label = `sql ${text.replace(/\s+/g, ' ').trim().slice(0, 60)}`;
    const start = performance.now();
    const result = query.apply(this, args);
    if (result instanceof Promise) void result.finally(() => add(label, performance.now() - start)).catch(() => undefined);
    return result;
  };
}

async function main(): Promise<void> {
  const schema = `pw_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const handle = await openDatabase<Database>({ kind: 'postgres', url: URL, schema, poolSize: 4 });
  try {
    await migrateToLatest(handle.db);
    const clock = () => new Date();
    const plane = new ControlPlane(handle.db, new Assessor(), clock, { checkinIntervalSeconds: 60 });
    await plane.importFeeds([ALMA_FEED], 'bench', { kind: 'system', id: 'bench', name: 'bench' });
    const fleet = await SyntheticFleet.fromFeeds({ packagesPerHost: 1000, seed: 1 });
    const hosts = new HostStore(tablesOf(handle.db), clock);
    const agents: SimulatedAgent[] = [];
    for (let i = 0; i < uploads; i++) {
      const agent = new SimulatedAgent(fleet.nextHost(), 'bench', 'bench');
      agent.hostId = (await hosts.create({ name: agent.hostName, machineId: agent.machineId, os: null, ecosystem: null, facts: { ...agent.facts }, attributes: EMPTY_ATTRIBUTES })).id;
      agents.push(agent);
    }
    const bodies = agents.map((a) => a.inventoryBody(a.digest()));
    if (concurrency > 1) {
      await concurrent(plane, agents, bodies);
      return;
    }

    timeMethod(ControlPlane.prototype, 'parseUpload', 'parse the document');
    timeMethod(Assessor.prototype, 'assess', 'assess');
    // The methods the upload path calls (ControlPlane.storeInventories), each once per upload here.
    timeMethod(HostStore.prototype, 'lockMany', 'lock the host row');
    timeMethod(HostStore.prototype, 'saveInventories', 'store the snapshot');
    timeMethod(FindingsStore.prototype, 'syncHosts', 'sync the findings');
    timeMethod(AuditStore.prototype, 'appendMany', 'audit event');
    timeStatements();

    let opened = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < uploads; i++) {
      const parsed = performance.now();
      const body = JSON.parse(bodies[i] as string) as { digest: string; inventory: unknown };
      add('JSON.parse of the body', performance.now() - parsed);
      opened += (await plane.putInventory((agents[i] as SimulatedAgent).hostId, body.inventory, body.digest)).changes.opened;
    }
    const wall = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const per = (ms: number) => `${(ms / uploads).toFixed(2)} ms`;
    console.log(`${uploads} first uploads of 1,000 packages, one at a time: ${per(wall)} each (${((uploads / wall) * 1000).toFixed(1)}/s), ` +
      `this process's CPU ${per((used.user + used.system) / 1000)}, ${(opened / uploads).toFixed(0)} findings opened per upload`);
    for (const [label, ms] of [...spent].sort((a, b) => b[1] - a[1])) console.log(`  ${label.padEnd(72)} ${per(ms)}`);
  } finally {
    await handle.close();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

/** C uploads in flight at a time; CPU per upload of this process and of PostgreSQL. */
async function concurrent(plane: ControlPlane, agents: readonly SimulatedAgent[], bodies: readonly string[]): Promise<void> {
  const postgres = new PostgresCpu(new globalThis.URL(URL).pathname.slice(1));
  const pgBefore = postgres.snapshot();
  const cpu = process.cpuUsage();
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < uploads; i = next++) {
      const body = JSON.parse(bodies[i] as string) as { digest: string; inventory: unknown };
      await plane.putInventory((agents[i] as SimulatedAgent).hostId, body.inventory, body.digest);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const per = (ms: number) => `${(ms / uploads).toFixed(2)} ms`;
  console.log(`${uploads} first uploads of 1,000 packages, ${concurrency} at a time: ${((uploads / wall) * 1000).toFixed(1)}/s; per upload: ` +
    `this process's CPU ${per((used.user + used.system) / 1000)}, PostgreSQL's ${per(postgres.since(pgBefore) * 1000)}`);
}

await main();
