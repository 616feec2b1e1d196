/**
 * Concurrent inventory uploads are stored in batches (ControlPlane.writeUploads: one transaction,
 * each kind of row written for all of them in one statement). Batching must not change any
 * answer: each agent gets its own changes and counts, a refused host in the batch gets its
 * refusal while the others are stored, and a batch whose transaction fails is written again one
 * upload at a time, so nobody loses an upload to somebody else's.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { ValueNode, sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { describe, expect, it } from 'vitest';
import { EMPTY_ATTRIBUTES, HostStore, PatchwiseError } from '@patchwise/core';
import { Assessor } from '../src/assessor.js';
import { ControlPlane } from '../src/control-plane.js';
import { tablesOf } from '../src/database.js';
import { almaAdvisory, almaFacts, almaInventory } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const digestOf = (doc: unknown) => createHash('sha256').update(JSON.stringify(doc)).digest('hex');
const ADVISORIES = [
  almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-28.el9'),
  almaAdvisory('ALSA-2026:0002', 'curl', '7.76.1-30.el9'),
  almaAdvisory('ALSA-2026:0003', 'bash', '5.1.8-10.el9'),
];
const VULNERABLE = [
  { name: 'openssl', version: '1:3.0.7-27.el9' },
  { name: 'curl', version: '7.76.1-29.el9' },
  { name: 'bash', version: '5.1.8-9.el9' },
];
const CURL_UPGRADED = VULNERABLE.map((p) => (p.name === 'curl' ? { ...p, version: '7.76.1-30.el9' } : p));
const PATCHED = [
  { name: 'openssl', version: '1:3.0.7-28.el9' },
  { name: 'curl', version: '7.76.1-30.el9' },
];
const NONE = { opened: 0, updated: 0, fixed: 0, retracted: 0 };

/**
 * Forces a full garbage collection while the upload's batch writes its snapshot (the upload is
 * waiting for its batch then) and records whether the watched document survived it.
 */
class DocumentProbe implements KyselyPlugin {
  private document: WeakRef<object> | undefined;
  checked = false;
  documentAlive = true;

  watch(document: object): void {
    this.document = new WeakRef(document);
  }

  transformQuery({ node }: { node: RootOperationNode }): RootOperationNode {
    if (!this.checked && node.kind === 'RawNode' && node.sqlFragments.join('').includes('inventory_digest = u.digest')) {
      fullCollection();
      this.checked = true;
      this.documentAlive = this.document?.deref() !== undefined;
    }
    return node;
  }

  transformResult<R>({ result }: { result: R }): Promise<R> {
    return Promise.resolve(result);
  }
}

/** A full, synchronous garbage collection (V8's `gc`, exposed at run time for this process). */
function fullCollection(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * Watches the findings insert: counts the statements carrying more than one host's findings (a
 * batch was written together) and makes the first `failures` of them fail, as a deadlock or a
 * lost connection would.
 */
class BatchedInsertProbe implements KyselyPlugin {
  batched = 0;
  constructor(private failures: number) {}

  transformQuery({ node }: { node: RootOperationNode }): RootOperationNode {
    if (node.kind === 'RawNode' && node.sqlFragments.join('').includes('insert into findings_sets')) {
      // The one array of numbers bound is where each row's slice starts: one per host.
      const values: unknown[] = node.parameters.map((p) => (ValueNode.is(p) ? p.value : undefined));
      const firsts = values.find((v): v is number[] => Array.isArray(v) && typeof v[0] === 'number');
      if ((firsts?.length ?? 0) > 1) {
        this.batched++;
        if (this.failures-- > 0) throw new Error('injected failure of a batched statement');
      }
    }
    return node;
  }

  transformResult<R>({ result }: { result: R }): Promise<R> {
    return Promise.resolve(result);
  }
}

describe.each(kinds)('batched inventory uploads on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  async function enrolled(n: number): Promise<TestAgent[]> {
    const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
    const agents: TestAgent[] = [];
    for (let i = 0; i < n; i++) {
      const agent = new TestAgent(t);
      expect((await agent.enroll(token, almaFacts(`m-${i}`, `web-${i}`))).statusCode).toBe(201);
      agents.push(agent);
    }
    return agents;
  }

  const upload = (agent: TestAgent, packages: { name: string; version: string }[], i: number) => {
    const inventory = almaInventory(packages, `m-${i}`);
    return agent.send('PUT', '/api/v1/agent/inventory', { digest: digestOf(inventory), inventory });
  };

  it('answers each of many concurrent uploads as if it came alone', async () => {
    const imported = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=alma.json', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from(JSON.stringify(ADVISORIES)) });
    expect(imported.statusCode, imported.body).toBe(200);
    const agents = await enrolled(9);
    // Before: hosts 3–5 and 7 hold the vulnerable set; host 6 is then quarantined.
    for (const i of [3, 4, 5, 7]) expect((await upload(agents[i] as TestAgent, VULNERABLE, i)).statusCode).toBe(200);
    const quarantine = await t.app.inject({ method: 'PATCH', url: `/api/v1/hosts/${(agents[6] as TestAgent).hostId}`, headers: admin(t), payload: { status: 'quarantined', reason: 'test' } });
    expect(quarantine.statusCode).toBe(200);
    const auditedBefore = await replaceEvents();
    t.clock.advance(60_000);

    const plan: { name: string; version: string }[][] = [VULNERABLE, VULNERABLE, VULNERABLE, CURL_UPGRADED, CURL_UPGRADED, CURL_UPGRADED, VULNERABLE, VULNERABLE, PATCHED];
    const replies = await Promise.all(agents.map((agent, i) => upload(agent, plan[i] as { name: string; version: string }[], i)));

    const answers = replies.map((r) => (r.statusCode === 200 ? r.json<{ changes: typeof NONE; open: Record<string, number> }>() : r.statusCode));
    const opened3 = { changes: { ...NONE, opened: 3 }, open: { P1: 0, P2: 0, P3: 3, P4: 0 } };
    const fixed1 = { changes: { ...NONE, fixed: 1 }, open: { P1: 0, P2: 0, P3: 2, P4: 0 } };
    const unchanged = { changes: NONE, open: { P1: 0, P2: 0, P3: 3, P4: 0 } };
    const clean = { changes: NONE, open: { P1: 0, P2: 0, P3: 0, P4: 0 } };
    expect(answers.map((a) => (typeof a === 'number' ? a : { changes: a.changes, open: a.open }))).toEqual([opened3, opened3, opened3, fixed1, fixed1, fixed1, 403, unchanged, clean]);

    // What was stored is each host's own: its open findings, nothing of the quarantined host's.
    const open = await sql<{ name: string; n: number }>`
      select h.name, count(s.id)::int as n from hosts_hosts h left join findings_states s on s.host_id = h.id and s.state = 'open'
      group by h.name order by h.name`.execute(t.db);
    expect(open.rows).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4', 'web-5', 'web-6', 'web-7', 'web-8'].map((name, i) => ({ name, n: [3, 3, 3, 2, 2, 2, 0, 3, 0][i] })));
    const fixed = await sql<{ n: number }>`select count(*)::int as n from findings_states where state = 'fixed' and fixed_at = ${t.clock.read()}`.execute(t.db);
    expect(fixed.rows[0]?.n).toBe(3);
    // One audit event per host whose inventory changed: not the quarantined one, not the unchanged one.
    expect((await replaceEvents()) - auditedBefore).toBe(7);
    const verified = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: admin(t) });
    expect(verified.json<{ ok: boolean }>().ok).toBe(true);
  });

  it('writes a batch whose transaction failed again one upload at a time, and refuses a missing host alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-batch-'));
    try {
      writeFileSync(join(dir, 'alma.json'), JSON.stringify(ADVISORIES));
      const probe = new BatchedInsertProbe(1);
      const plane = new ControlPlane(t.db.withPlugin(probe), new Assessor(), t.clock.read, { checkinIntervalSeconds: 60 });
      await plane.importFeeds([join(dir, 'alma.json')], 'test', { kind: 'system', id: 'test', name: 'test' });
      const hosts = new HostStore(tablesOf(t.db), t.clock.read);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await hosts.create({ name: `db-${i}`, machineId: `db-${i}`, os: null, ecosystem: null, facts: {}, attributes: EMPTY_ATTRIBUTES })).id);
      const missing = randomUUID();
      const results = await Promise.allSettled([...ids, missing].map((id) => {
        const inventory = almaInventory(VULNERABLE, id);
        return plane.putInventory(id, inventory, digestOf(inventory));
      }));

      expect(probe.batched).toBeGreaterThanOrEqual(1); // a batch was written together, and its first try failed
      expect(results.slice(0, 5).map((r): unknown => (r.status === 'fulfilled' ? r.value.changes : r.reason))).toEqual(Array.from({ length: 5 }, () => ({ ...NONE, opened: 3 })));
      const refused = results[5];
      expect(refused?.status).toBe('rejected');
      expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(PatchwiseError);
      expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'PW_NOT_FOUND' });
      const stored = await sql<{ host_id: string; n: number }>`select host_id, count(*)::int as n from findings_states group by host_id`.execute(t.db);
      expect(new Map(stored.rows.map((r) => [r.host_id, r.n]))).toEqual(new Map(ids.map((id) => [id, 3])));
      for (const id of ids) expect((await hosts.require(id)).inventoryAt?.getTime()).toBe(t.clock.read().getTime());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds no uploaded document while the upload waits for its batch to be written', async () => {
    const probe = new DocumentProbe();
    const plane = new ControlPlane(t.db.withPlugin(probe), new Assessor(), t.clock.read, { checkinIntervalSeconds: 60 });
    const hosts = new HostStore(tablesOf(t.db), t.clock.read);
    const id = (await hosts.create({ name: 'db-0', machineId: 'db-0', os: null, ecosystem: null, facts: {}, attributes: EMPTY_ATTRIBUTES })).id;
    // Made in a function of its own: afterwards only the probe's WeakRef and the control plane can reach the document.
    const upload = () => {
      const inventory = almaInventory(VULNERABLE, id);
      probe.watch(inventory);
      return plane.putInventory(id, inventory, digestOf(inventory));
    };
    expect((await upload()).packages).toBe(VULNERABLE.length);
    expect(probe.checked).toBe(true);
    expect(probe.documentAlive).toBe(false);
  });

  async function replaceEvents(): Promise<number> {
    const r = await sql<{ n: number }>`select count(*)::int as n from audit_events where action = 'host.inventory.replace'`.execute(t.db);
    return r.rows[0]?.n ?? 0;
  }
});
