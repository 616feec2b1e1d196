import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessStore, AGENT_HEADERS, UserStore, DEFAULT_SLA_POLICY, bodyDigest, generateAgentKeyPair, signRequest, type AgentKeyPair, type SlaPolicy } from '@patchwise/core';
import { buildApp } from '../../src/app.js';
import { createRollout, type RolloutRuntime } from '../../src/rollout/rollout-runtime.js';
import { ensureAdminUser } from '../../src/admin-token.js';
import type { App } from '../../src/app-types.js';
import { Assessor } from '../../src/assessor.js';
import { AgentlessHosts } from '../../src/agentless-hosts.js';
import { ControlPlane } from '../../src/control-plane.js';
import type { FeedSyncer } from '../../src/feed-syncer.js';
import { jobSigningKeyOf } from '../../src/job-signing-key.js';
import { tablesOf } from '../../src/database.js';
import { sql, type Kysely } from 'kysely';
import { generateSshClientKey } from '@patchwise/agent';
import type { DatabaseHandle } from '@patchwise/core';
import type { Database } from '../../src/database.js';
import { openTestDatabase, type TestDatabaseKind } from './test-database.js';

const testAuditKeys = generateAgentKeyPair();
/** The audit checkpoint key of every test app. */
export const TEST_AUDIT_SIGNER = { publicKey: testAuditKeys.publicKey, privateKeyPem: testAuditKeys.privateKeyPem };
/** The job-signing key of every test app. */
export const TEST_JOB_SIGNING_KEY = jobSigningKeyOf(generateAgentKeyPair().privateKeyPem);
/** The SSH client key of every test app (agentless hosts). */
export const TEST_SSH_CLIENT_KEY = generateSshClientKey('patchwise-test-server');

/** A settable clock, so tests move time instead of sleeping. */
export class TestClock {
  constructor(private now = new Date('2026-11-22T10:00:00Z')) {}
  readonly read = (): Date => new Date(this.now);
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export interface TestApp {
  readonly app: App;
  readonly clock: TestClock;
  readonly controlPlane: ControlPlane;
  readonly agentless: AgentlessHosts;
  readonly adminToken: string;
  readonly uploadDir: string;
  readonly db: Kysely<Database>;
  readonly rollout: RolloutRuntime;
  close(): Promise<void>;
}

/**
 * A fresh app over an emptied database: one database per test file (opening PGlite costs
 * seconds), emptied before each test so tests never see each other's rows.
 */
export interface TestAppOptions {
  /** false: a second app over the same rows (another server process, as it were). */
  readonly empty?: boolean;
  readonly slaPolicy?: SlaPolicy;
  readonly failedAuthenticationsPerMinute?: number;
  readonly log?: (line: string) => void;
  /** The app's feed syncer, made over its control plane and clock (none by default); closing the app stops it. */
  readonly feedSyncer?: (parts: { controlPlane: ControlPlane; clock: TestClock }) => FeedSyncer;
}

export async function openTestApp(handle: DatabaseHandle<Database>, options: TestAppOptions = {}): Promise<TestApp> {
  // `empty: false` opens a second app over the same rows: another server process, as it were.
  if (options.empty !== false) await sql`truncate cmdb_imports, hosts_hosts, hosts_snapshots, access_users, access_roles, access_role_bindings, access_sessions, access_tokens, access_enroll_tokens, access_agents, access_nonces, findings_rows, findings_sets, findings_details, feeds_advisories, feeds_documents, feeds_nvd, feeds_removals, feeds_sources, audit_events, audit_checkpoints, policy_groups, policy_exceptions, policy_baselines, approvals_policies, approvals_changes, maintenance_windows, maintenance_freezes cascade`.execute(handle.db);
  // Patch set numbers start at 1 in each test.
  if (options.empty !== false) await sql`truncate patchsets_sets, rollout_deployments, rollout_jobs, rollout_rings, rollout_scripts restart identity`.execute(handle.db);
  const clock = new TestClock();
  const controlPlane = new ControlPlane(handle.db, new Assessor(), clock.read, { checkinIntervalSeconds: 60 });
  const uploadDir = mkdtempSync(join(tmpdir(), 'patchwise-uploads-'));
  const rollout = createRollout({ db: handle.db, clock: clock.read, signingKey: TEST_JOB_SIGNING_KEY.privateKey, defaultSla: options.slaPolicy ?? DEFAULT_SLA_POLICY });
  const agentless = new AgentlessHosts(handle.db, controlPlane, clock.read, { clientKey: TEST_SSH_CLIENT_KEY });
  const feedSyncer = options.feedSyncer?.({ controlPlane, clock });
  const app = await buildApp({
    rollout,
    db: handle.db,
    controlPlane,
    clock: clock.read,
    policy: { checkinIntervalSeconds: 60, staleAfterMs: 7 * 86400_000 },
    uploadDir,
    ready: () => true,
    auditSigner: TEST_AUDIT_SIGNER,
    jobSigningKey: TEST_JOB_SIGNING_KEY,
    slaPolicy: options.slaPolicy ?? DEFAULT_SLA_POLICY,
    agentless,
    ...(options.failedAuthenticationsPerMinute === undefined ? {} : { failedAuthenticationsPerMinute: options.failedAuthenticationsPerMinute }),
    ...(options.log ? { log: options.log } : {}),
    ...(feedSyncer ? { feedSyncer } : {}),
  });
  await controlPlane.load();
  const admin = await ensureAdminUser(new UserStore(tablesOf(handle.db), clock.read));
  const { token } = await new AccessStore(tablesOf(handle.db), clock.read).createApiToken('test admin', admin.id);
  return {
    app,
    clock,
    controlPlane,
    agentless,
    adminToken: token,
    uploadDir,
    db: handle.db,
    rollout,
    close: async () => {
      await feedSyncer?.stop();
      await app.close();
      rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}

/** An enrolled test agent: its key pair and host id, and a signer for requests. */
export class TestAgent {
  readonly keys: AgentKeyPair = generateAgentKeyPair();
  hostId = '';

  constructor(private readonly t: TestApp) {}

  async enroll(token: string, facts: Record<string, unknown>, attributes?: Record<string, unknown>) {
    const res = await this.t.app.inject({
      method: 'POST',
      url: '/api/v1/agent/enroll',
      payload: { token, publicKey: this.keys.publicKey, facts, ...(attributes ? { attributes } : {}) },
    });
    if (res.statusCode === 201) this.hostId = res.json<{ hostId: string }>().hostId;
    return res;
  }

  /** Headers of a signed request; `overrides` lets tests forge or replay parts. */
  signedHeaders(method: string, url: string, body: string, overrides: { host?: string; timestamp?: string; nonce?: string; key?: string } = {}) {
    const host = overrides.host ?? this.hostId;
    const timestamp = overrides.timestamp ?? String(this.t.clock.read().getTime());
    const nonce = overrides.nonce ?? randomBytes(18).toString('base64url');
    const signature = signRequest(overrides.key ?? this.keys.privateKeyPem, { method, path: url, bodyDigest: bodyDigest(body), timestamp, nonce, host });
    return {
      'content-type': 'application/json',
      [AGENT_HEADERS.host]: host,
      [AGENT_HEADERS.timestamp]: timestamp,
      [AGENT_HEADERS.nonce]: nonce,
      [AGENT_HEADERS.signature]: signature,
    };
  }

  send(method: 'POST' | 'PUT', url: string, payload: unknown, overrides: Parameters<TestAgent['signedHeaders']>[3] = {}) {
    const body = JSON.stringify(payload);
    return this.t.app.inject({ method, url, payload: body, headers: this.signedHeaders(method, url, body, overrides) });
  }
}

export function admin(t: TestApp) {
  return { authorization: `Bearer ${t.adminToken}` };
}

/** A role binding for `personHeaders`: fleet-wide unless groups or environments are named. */
export interface TestBinding {
  readonly role: string;
  readonly groups?: readonly string[];
  readonly environments?: readonly string[];
}

/**
 * Headers with a fresh API token of a user (created when missing) holding these bindings,
 * optionally narrowed to some permissions. Written through the stores, not the API, so tests
 * of the API's own refusals can set up any caller.
 */
export async function personHeaders(t: TestApp, name: string, bindings: readonly TestBinding[], options: { permissions?: readonly string[] } = {}): Promise<{ authorization: string }> {
  const people = new UserStore(tablesOf(t.db), t.clock.read);
  const user = (await people.user(name)) ?? (await people.createUser(name, null));
  for (const b of bindings) {
    const scope = b.groups?.length || b.environments?.length ? { groups: [...(b.groups ?? [])], environments: [...(b.environments ?? [])] } : null;
    await people.bind(user.id, b.role, scope);
  }
  const { token } = await new AccessStore(tablesOf(t.db), t.clock.read).createApiToken(`${name} test token`, user.id, { permissions: options.permissions });
  return { authorization: `Bearer ${token}` };
}

/**
 * The usual shape of a server test file: one database of `kind` for the file (opening one costs
 * seconds), a fresh app over it, emptied, for each test; `use` receives both before each test.
 */
export function eachTestApp(kind: TestDatabaseKind, use: (t: TestApp, db: DatabaseHandle<Database>) => void): void {
  let db: DatabaseHandle<Database>;
  let t: TestApp;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    t = await openTestApp(db);
    use(t, db);
  });
  afterEach(async () => {
    await t.close();
  });
}

/** Imports OSV records through the API as the admin (`feeds import` of one file); expects 200. */
export async function importFeedRecords(t: TestApp, records: readonly object[]): Promise<{ hostsReassessed: number; findings: { opened: number } }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/feeds/import?filename=records.json',
    headers: { ...admin(t), 'content-type': 'application/octet-stream' },
    payload: Buffer.from(JSON.stringify(records)),
  });
  if (res.statusCode !== 200) throw new Error(`feeds import answered ${res.statusCode}: ${res.body}`);
  return res.json<{ hostsReassessed: number; findings: { opened: number } }>();
}
