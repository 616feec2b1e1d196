import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccessStore, AuditStore, PolicyStore, DEFAULT_SLA_POLICY, auditDigest, migrateToLatest, type SlaPolicy, openDatabase, type DatabaseHandle, type FeedSource, countNoun } from '@patchwise/core';
import type { Kysely } from 'kysely';
import { buildApp } from './app.js';
import type { App } from './app-types.js';
import { ensureAdminToken } from './admin-token.js';
import { AgentlessHosts } from './agentless-hosts.js';
import { ensureAuditKey } from './audit-key.js';
import { ensureDataDir } from './ensure-data-dir.js';
import { ensureJobSigningKey } from './job-signing-key.js';
import { agreeOnKeys, refuseMissingKeyFiles } from './server-keys.js';
import { ensureSshClientKey } from './ssh-client-key.js';
import { PeriodicTask } from './periodic-task.js';
import { Assessor } from './assessor.js';
import { ControlPlane } from './control-plane.js';
import { tablesOf, type Database } from './database.js';
import { FeedSyncer } from './feed-syncer.js';
import { AgentlessExecutor } from './rollout/agentless-executor.js';
import { EngineLeader } from './rollout/engine-leader.js';
import { createRollout } from './rollout/rollout-runtime.js';
import type { ServerConfig } from './server-config.js';
import { startFailure } from './start-failure.js';

export interface RunningServer {
  readonly app: App;
  readonly url: string;
  readonly adminTokenPath: string;
  readonly adminTokenCreated: boolean;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: () => Date;
  readonly logger?: boolean;
  /** Print start-up lines here (the CLI passes stderr). */
  readonly log?: (line: string) => void;
  /** Feed sources to sync on their intervals (`--feeds FILE`, read with loadFeedSources). */
  readonly feedSources?: readonly FeedSource[];
  /** How often replay nonces past the freshness window are deleted (default one minute). */
  readonly noncePruneMs?: number;
  /** Replaces the global fetch for feed downloads. */
  readonly fetch?: typeof globalThis.fetch;
  /** On PostgreSQL, how often to pick up feed changes other server processes made (default 2 s). */
  readonly feedFollowMs?: number;
  /** The SLA matrix (`--sla FILE`, read with loadSlaPolicy); common practice by default. */
  readonly slaPolicy?: SlaPolicy;
  /** How often the rollout engine advances running deployments (default 2 s; also after every report). */
  readonly engineTickMs?: number;
  /** How often to sign a checkpoint of the audit trail when it grew (default 5 min; also at shutdown). */
  readonly auditCheckpointMs?: number;
  /** How often to delete past inventory snapshots no host holds (default hourly; HostStore.pruneSnapshots). */
  readonly snapshotPruneMs?: number;
}

/** The server's composition root: database, migrations, admin token, in-memory state, HTTP. */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  ensureDataDir(config.dataDir);
  const handle: DatabaseHandle<Database> = await openDatabase<Database>(
    config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dataDir: join(config.dataDir, 'pglite') },
  );
  try {
    try {
      await migrateToLatest(handle.db);
    } catch (err) {
      // The first statement is the first connection: PostgreSQL down, no such database, refused login.
      throw config.databaseUrl ? startFailure(err, { kind: 'database', url: config.databaseUrl }) : err;
    }
    await refuseMissingKeyFiles(handle.db, config.dataDir);
    const token = await ensureAdminToken(handle.db, clock, config.dataDir);
    if (options.slaPolicy) await adoptSlaFile(handle.db, options.slaPolicy, clock);
    const auditKey = ensureAuditKey(config.dataDir);
    if (auditKey.created) log(`audit checkpoint key created in ${auditKey.path} (mode 0600): back it up; its public key is ${auditKey.publicKey}`);
    const jobSigningKey = ensureJobSigningKey(config.dataDir);
    await agreeOnKeys(handle.db, config.dataDir, { 'job-signing': jobSigningKey.publicKey, 'audit-signing': auditKey.publicKey }, clock());
    if (jobSigningKey.created) log(`job-signing key created in ${jobSigningKey.path} (mode 0600): back it up; agents pin it at enrollment (key id ${jobSigningKey.keyId})`);
    const controlPlane = new ControlPlane(handle.db, new Assessor(), clock, { checkinIntervalSeconds: config.checkinIntervalSeconds });
    const sshKey = ensureSshClientKey(config.dataDir);
    if (sshKey.created) log(`SSH client key for agentless hosts created in ${sshKey.path} (mode 0600); hosts authorize: ${sshKey.publicKey}`);
    let ready = false;
    const uploadDir = join(config.dataDir, 'uploads');
    rmSync(uploadDir, { recursive: true, force: true }); // left-overs of an interrupted import
    const feedSyncDir = join(config.dataDir, 'feed-sync');
    rmSync(feedSyncDir, { recursive: true, force: true }); // left-overs of an interrupted sync
    const feedSyncer = new FeedSyncer({ db: handle.db, controlPlane, clock, workDir: feedSyncDir, log, ...(options.fetch ? { fetch: options.fetch } : {}) });
    await feedSyncer.configure(options.feedSources ?? []);
    const rollout = createRollout({ db: handle.db, clock, signingKey: jobSigningKey.privateKey, defaultSla: options.slaPolicy ?? DEFAULT_SLA_POLICY });
    const app = await buildApp({
      rollout,
      db: handle.db,
      controlPlane,
      clock,
      policy: { checkinIntervalSeconds: config.checkinIntervalSeconds, staleAfterMs: config.staleAfterMs },
      uploadDir,
      ready: () => ready,
      logger: options.logger ?? false,
      log,
      feedSyncer,
      auditSigner: auditKey,
      jobSigningKey,
      slaPolicy: options.slaPolicy ?? DEFAULT_SLA_POLICY,
      agentless: new AgentlessHosts(handle.db, controlPlane, clock, { clientKey: sshKey, log }),
      enrollmentsPerMinute: config.enrollmentsPerMinute,
      failedAuthenticationsPerMinute: config.failedAuthenticationsPerMinute,
    });
    const problems = await controlPlane.load();
    for (const p of problems) log(`warning: ${p}`);
    ready = true;
    let address: string;
    try {
      address = await app.listen({ host: config.host, port: config.port });
    } catch (err) {
      throw startFailure(err, { kind: 'listen', host: config.host, port: config.port });
    }
    const url = address.replace('0.0.0.0', '127.0.0.1');
    writeFileSync(join(config.dataDir, 'server.json'), `${JSON.stringify({ url, pid: process.pid })}\n`, { mode: 0o600 });
    feedSyncer.start();
    // Other server processes on the same PostgreSQL import feeds too; PGlite has one process.
    const follower = config.databaseUrl
      ? new PeriodicTask('feed follower', options.feedFollowMs ?? 2000, async () => {
          const { names, cves, problems } = await controlPlane.followFeeds();
          if (names.size > 0 || cves.length > 0) log(`feeds changed elsewhere: ${countNoun(names.size, 'package name')}, enrichment of ${countNoun(cves.length, 'CVE')}`);
          for (const p of problems) log(`warning: ${p}`);
        }, log)
      : undefined;
    follower?.start();
    const checkpoint = async () => void (await new AuditStore(tablesOf(handle.db), clock).checkpoint(auditKey));
    const checkpointer = new PeriodicTask('audit checkpoint', options.auditCheckpointMs ?? 5 * 60_000, checkpoint, log);
    checkpointer.start();
    // A nonce older than the clock-skew window can never pass the freshness check again; kept,
    // 10,000 agents checking in each minute would add 14 million rows a day.
    // On PostgreSQL several processes may serve one database: one of them leads the engine.
    const leader = handle.kind === 'postgres' ? new EngineLeader(handle.db) : undefined;
    const agentlessJobs = new AgentlessExecutor(handle.db, clock, rollout.agentJobs, { clientKey: sshKey, jobSigningPublicKey: jobSigningKey.publicKey, journalDir: join(config.dataDir, 'agentless-jobs'), log });
    const engineTask = new PeriodicTask('rollout engine', options.engineTickMs ?? 2000, async () => {
      if (!leader || (await leader.isLeader())) await rollout.engine.tick();
    }, log);
    engineTask.start();
    // Its own task: SSH jobs take minutes, and the engine must go on ticking meanwhile.
    const agentlessTask = new PeriodicTask('agentless jobs', options.engineTickMs ?? 2000, async () => {
      if (!leader || (await leader.isLeader())) await agentlessJobs.runPending();
    }, log);
    agentlessTask.start();
    const access = new AccessStore(tablesOf(handle.db), clock);
    const pruner = new PeriodicTask('replay nonce pruning', options.noncePruneMs ?? 60_000, async () => void (await access.pruneNonces()), log);
    pruner.start();
    // Past inventories no host holds any more: a fleet whose hosts change daily would otherwise
    // add a snapshot per host per day for ever.
    const snapshotPruner = new PeriodicTask('inventory snapshot pruning', options.snapshotPruneMs ?? 3_600_000, async () => void (await controlPlane.pruneSnapshots()), log);
    snapshotPruner.start();
    return {
      app,
      url,
      adminTokenPath: token.path,
      adminTokenCreated: token.created,
      close: async () => {
        await feedSyncer.stop(); // before the database closes: a sync in flight still writes
        await follower?.stop();
        await checkpointer.stop();
        await checkpoint(); // the events of this run are signed before the database closes
        await pruner.stop();
        await snapshotPruner.stop();
        await engineTask.stop();
        await agentlessTask.stop();
        rollout.agentJobs.stop();
        await leader?.resign();
        await app.close();
        await handle.close();
      },
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * The `--sla` file given at start becomes the SLA in force (stored, audited when it changes it);
 * `policy apply` may change it afterwards, until a restart with a different file.
 */
async function adoptSlaFile(db: Kysely<Database>, sla: SlaPolicy, clock: () => Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const store = new PolicyStore(tablesOf(trx), clock);
    const stored = await store.sla();
    if (stored && auditDigest(stored) === auditDigest(sla)) return;
    await store.putSla(sla);
    await new AuditStore(tablesOf(trx), clock).append({ actor: { kind: 'system', id: 'server-config' }, action: 'sla.set', target: { kind: 'sla', id: 'sla' }, before: stored ? auditDigest(stored) : null, after: auditDigest(sla), details: { source: '--sla file' } });
  });
}
