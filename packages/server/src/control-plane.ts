import {
  AccessStore,
  AuditStore,
  auditDigest,
  type AuditActor,
  type AuditEventInput,
  EMPTY_ATTRIBUTES,
  FeedStore,
  type DocumentKeptOut,
  type NvdChanges,
  FindingsStore,
  HostStore,
  InstalledTargets,
  KnownDetails,
  SnapshotBases,
  MicroBatcher,
  PackageCache,
  PatchwiseError,
  RolloutStore,
  applyAttributePatch,
  countOpen,
  ecosystemForDistro,
  idleKernels,
  matchTarget,
  parseAttributePatch,
  parseInventoryObject,
  parsePublicKey,
  sharedPackages,
  touchedNamesFor,
  readFeedBatch,
  type FeedBatch,
  type FeedSource,
  type AssessedFinding,
  type InstalledPackage,
  type FindingChanges,
  type HostSync,
  type TouchedKey,
  type HostAttributePatch,
  type HostInventory,
  type HostRecord,
  type NewHost,
  type Priority,
} from '@patchwise/core';
import type { Kysely } from 'kysely';
import type { Assessor } from './assessor.js';
import { tablesOf, type Database } from './database.js';
import type { AgentFacts } from './agent-facts.js';

/** Past this many changed CVEs, finding the hosts they touch costs more than re-assessing all. */
const MAX_CVES_TO_TARGET = 20_000;

/** Re-assessment transactions at once after a feed import (fewer than the PostgreSQL pool's 10 connections). */
const REASSESS_CONCURRENCY = 4;
/** Hosts re-assessed in one transaction (their rows locked together, in id order, as uploads' are). */
const REASSESS_BATCH = 8;
/**
 * Times an assessing transaction follows feed changes before it runs regardless: each attempt
 * follows everything committed so far, so more than one is needed only while imports keep coming.
 */
const MAX_FOLLOW_ATTEMPTS = 5;

/**
 * Most uploads stored in one transaction, and such transactions at once: small batches several
 * at a time, so that one batch's assessment runs while another waits on the database (measured
 * with bench/upload-phases.ts --concurrency 16: 6 × 3 beat 16 × 2, 8 × 2 and 4 × 4).
 */
const UPLOAD_BATCH = 6;
const UPLOAD_BATCHES_AT_ONCE = 3;

/** Snapshots deleted per statement, so that each statement's locks and work stay small. */
const SNAPSHOT_PRUNE_SLICE = 1000;

/** Distinct packages kept shared (~200 bytes each): a fleet of 50 images with drift fits many times. */
const PACKAGE_CACHE_ENTRIES = 300_000;

export interface ControlPlaneOptions {
  /** How often agents check in; they add jitter of up to a tenth. */
  readonly checkinIntervalSeconds: number;
}

export interface EnrollRequest {
  readonly token: string;
  readonly publicKey: string;
  readonly facts: AgentFacts;
  /** Attributes from the agent's own config; they override the enrollment token's. */
  readonly attributes?: unknown;
}

export interface CheckinReply {
  readonly intervalSeconds: number;
  /** True when the server's copy of the inventory differs from the digest the agent sent. */
  readonly sendInventory: boolean;
  /**
   * Attributes of the agent's configuration the server did not apply, because a person set them
   * to something else (HostRecord.personAttributes); absent when there are none.
   */
  readonly heldAttributes?: string[];
}

export interface InventoryReply {
  readonly packages: number;
  readonly changes: FindingChanges;
  readonly open: Record<Priority, number>;
  /** Ecosystems of its packages that no advisory held covers: those packages were not assessed. */
  readonly uncovered: string[];
}

/** An agentless scan's side of an upload: the facts it read and the person who asked for it. */
export interface Scan {
  readonly facts: AgentFacts;
  readonly actor: AuditActor;
}

/** One inventory to store, parsed. */
interface Upload {
  readonly hostId: string;
  readonly inventory: HostInventory;
  readonly digest: string;
  readonly scan?: Scan;
}

/** What storing one upload of a batch came to: its reply, or its own refusal. */
type Stored = { readonly reply: InventoryReply } | { readonly error: unknown };

export interface FeedImportReply {
  /** `older`: records kept as held because the incoming copy's `modified` is older. */
  readonly records: { readonly inserted: number; readonly updated: number; readonly unchanged: number; readonly older: number };
  /** Enrichment stored: `kev`, `epss`, and `nvd` when any NVD record was. */
  readonly documents: string[];
  /** Enrichment documents kept out: older than the held edition, or the same edition with other content. */
  readonly keptOut: DocumentKeptOut[];
  /** The NVD CVE records of the pages imported, one per CVE (`older`: NVD modified the held copy later; it stays). */
  readonly nvd: NvdChanges;
  readonly hostsReassessed: number;
  /**
   * Entries of the enrichment documents now held as this import gave them (stored, or the same
   * content already held), NVD records included; kept-out documents and older NVD records count none.
   */
  readonly documentEntries: number;
  /** What the re-assessment changed: a withdrawn or narrowed record retracts findings, it fixes none. */
  readonly findings: FindingChanges;
  readonly problems: string[];
  readonly warnings: number;
}

/** What `feeds forget` removed, and what re-assessing the hosts it reached changed. */
export interface FeedForgetReply {
  readonly advisories: number;
  readonly nvd: number;
  /** Enrichment document kinds (`kev`, `epss`) the source had stored. */
  readonly documents: string[];
  readonly hostsReassessed: number;
  readonly findings: FindingChanges;
}

/**
 * The control plane's use cases: enrollment, check-ins, inventory uploads, attribute changes and
 * feed imports, each one transaction so readers see the state before or after, never between.
 */
export class ControlPlane {
  /** The feed change mark up to which this process's in-memory advisories and enrichment are current. */
  private feedMark = '0';
  /** followFeeds calls run one after another, so the mark only moves forward. */
  private following: Promise<unknown> = Promise.resolve();

  /**
   * Packages shared across uploads and re-assessments: hosts of one image send the same
   * packages, and one object per package lets the matcher, the reporter and the finding keys
   * answer from their per-object memos (and by position for hosts of one layout) instead of
   * matching 1,000 packages per upload. Bounded; cleared when full.
   */
  private readonly packages = new PackageCache(PACKAGE_CACHE_ENTRIES);
  /** Finding details known to be stored: an upload of a known image asks the database for none. */
  private readonly knownDetails = new KnownDetails();
  /** Whole snapshots to store the next uploads against, and parsed snapshots for re-assessment. */
  private readonly snapshots = new SnapshotBases();
  /**
   * Inventory uploads of concurrent agents are stored together: one transaction, one statement
   * per kind of row for all of them, one audit append (ControlPlane.writeUploads).
   */
  private readonly uploads = new MicroBatcher<Upload, Stored>((batch) => this.writeUploads(batch), { keyOf: (u) => u.hostId, maxBatch: UPLOAD_BATCH, concurrency: UPLOAD_BATCHES_AT_ONCE });
  /**
   * Unchanged check-ins of concurrent agents are written together (one statement, one commit per
   * batch); each agent's reply still waits for its own row. One host at a time per batch.
   */
  private readonly checkins: MicroBatcher<{ id: string; update: Pick<NewHost, 'name' | 'machineId' | 'os' | 'ecosystem' | 'facts'> }, { inventoryDigest: string | null } | undefined>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly assessor: Assessor,
    private readonly clock: () => Date,
    private readonly options: ControlPlaneOptions,
  ) {
    this.checkins = new MicroBatcher((batch) => new HostStore(tablesOf(this.db), this.clock).recordActiveCheckins(batch), { keyOf: (c) => c.id });
  }

  /** Reads advisories and enrichment into memory; returns records that failed to load. */
  async load(): Promise<string[]> {
    const feeds = new FeedStore(tablesOf(this.db), this.clock);
    // The mark first: whatever commits while the rest is read is applied again later, harmlessly.
    this.feedMark = await feeds.changeMark();
    // One build, no changed set: nothing was held before and nothing is re-assessed at start.
    this.assessor.loadEnrichment(await feeds.documents(), await feeds.nvdRecords());
    return this.assessor.loadRecords(await feeds.records());
  }

  /**
   * Brings this process's in-memory advisories and enrichment up to what is committed, whoever
   * wrote it (several server processes share one PostgreSQL). Re-assesses nothing: the writer
   * re-assesses the hosts its change touched. Returns what changed.
   */
  followFeeds(): Promise<{ keys: TouchedKey[]; names: Set<string>; cves: string[]; problems: string[] }> {
    const run = this.following.then(async () => {
      const feeds = new FeedStore(tablesOf(this.db), this.clock);
      const changes = await feeds.changesSince(this.feedMark);
      // Removals first: an id forgotten and imported again since the mark is among the records.
      const forgotten = this.assessor.forgetAdvisories(changes.removed.advisories);
      const cves = new Set(this.assessor.forgetNvd(changes.removed.nvd));
      const applied = this.assessor.applyRecords(changes.records);
      for (const id of this.assessor.applyNvd(changes.nvd)) cves.add(id);
      if (changes.documents.length > 0 || changes.removed.documents.length > 0) for (const id of this.assessor.loadDocuments(await feeds.documents())) cves.add(id);
      this.feedMark = changes.mark;
      const keys = [...new Map([...forgotten, ...applied.keys].map((k) => [`${k.ecosystem}\u001f${k.name}`, k])).values()];
      return { keys, names: new Set(keys.map((k) => k.name)), cves: [...cves], problems: applied.problems };
    });
    this.following = run.catch(() => undefined);
    return run;
  }

  /** Whether any advisory held (in this process's memory, current to the last followFeeds) applies to hosts of `ecosystem`. */
  advisoriesCover(ecosystem: string): boolean {
    return this.assessor.covers(ecosystem);
  }

  /**
   * The ecosystems of active hosts that no advisory held covers, with their host counts: those
   * hosts show no findings because nothing is known about them. One grouped query over hosts;
   * coverage is answered from memory.
   */
  async uncoveredEcosystems(): Promise<{ ecosystem: string; hosts: number }[]> {
    const held = await new HostStore(tablesOf(this.db), this.clock).activeEcosystems();
    return held.filter((e) => !this.assessor.covers(e.ecosystem));
  }

  async enroll(request: EnrollRequest): Promise<{ host: HostRecord; intervalSeconds: number }> {
    parsePublicKey(request.publicKey);
    const agentPatch = request.attributes === undefined ? {} : parseAttributePatch(request.attributes, 'agent config attributes');
    return this.db.transaction().execute(async (trx) => {
      const access = new AccessStore(tablesOf(trx), this.clock);
      const hosts = new HostStore(tablesOf(trx), this.clock);
      if (await access.hostOfKey(request.publicKey)) throw new PatchwiseError('PW_CONFLICT', 'this agent key is enrolled already');
      const token = await access.consumeEnrollToken(request.token);
      const tokenPatch = parseAttributePatch(token.attributes, 'enrollment token attributes');
      const attributes = applyAttributePatch(applyAttributePatch(EMPTY_ATTRIBUTES, tokenPatch), agentPatch);
      // A machine id already enrolled means a cloned image or a copied identity: never merge the
      // two; the newcomer waits in quarantine until a person decides.
      const twins = request.facts.machineId ? await hosts.withMachineId(request.facts.machineId) : [];
      const twin = twins.find((h) => h.status === 'active');
      const host = await hosts.create({
        ...identityOf(request.facts),
        facts: { ...request.facts },
        attributes,
        status: twin ? 'quarantined' : 'active',
        quarantineReason: twin ? `machine id ${request.facts.machineId} is already enrolled as host ${twin.id} (${twin.name})` : null,
      });
      await access.registerAgent(host.id, request.publicKey, token.id);
      await this.audit(trx, {
        actor: agentActor(host),
        action: 'host.enroll',
        target: { kind: 'host', id: host.id },
        after: auditDigest(auditedState(host)),
        details: { enrollToken: token.id, status: host.status, ...(host.quarantineReason ? { quarantineReason: host.quarantineReason } : {}) },
      });
      return { host, intervalSeconds: this.options.checkinIntervalSeconds };
    });
  }

  async checkin(hostId: string, facts: AgentFacts, inventoryDigest: string | null, attributes?: unknown): Promise<CheckinReply> {
    const patch = attributes === undefined ? undefined : parseAttributePatch(attributes, 'agent config attributes');
    if (patch === undefined) {
      const seen = await this.checkins.submit({ id: hostId, update: { ...identityOf(facts), facts: { ...facts } } });
      // Missing, quarantined or another machine: the locking path below says which.
      if (seen) return { intervalSeconds: this.options.checkinIntervalSeconds, sendInventory: seen.inventoryDigest !== inventoryDigest };
    }
    const outcome = await this.db.transaction().execute(async (trx) => {
      const hosts = new HostStore(tablesOf(trx), this.clock);
      const host = await hosts.lock(hostId);
      this.refuseQuarantined(host);
      if (host.machineId && facts.machineId && facts.machineId !== host.machineId) {
        // The key of one machine is being used from another: stop trusting it and say so.
        const reason = `identity presented by a different machine (machine id ${facts.machineId}, enrolled as ${host.machineId})`;
        await hosts.setStatus(hostId, 'quarantined', reason);
        await this.audit(trx, { actor: SERVER, action: 'host.quarantine', target: { kind: 'host', id: hostId }, before: auditDigest(auditedState(host)), after: auditDigest(auditedState({ ...host, status: 'quarantined', quarantineReason: reason })), details: { reason } });
        return 'quarantined' as const;
      }
      await hosts.recordCheckin(hostId, { ...identityOf(facts), facts: { ...facts } });
      // What a person set wins over the agent's own configuration (a host must not lower its own tier).
      const { own, held } = splitHeld(host, patch ?? {});
      const reassess = changesAttributes(host, own);
      if (reassess) await this.auditedAttributes(trx, host, own, agentActor(host));
      // A check-in never changes the stored digest, so the locked row answers sendInventory.
      return { reassess, held, storedDigest: host.inventoryDigest };
    });
    if (outcome === 'quarantined') throw new PatchwiseError('PW_QUARANTINED', 'this host identity is quarantined: presented by a different machine');
    if (outcome.reassess) await this.reassessHosts([hostId]);
    const reply = { intervalSeconds: this.options.checkinIntervalSeconds, sendInventory: outcome.storedDigest !== inventoryDigest };
    return outcome.held.length > 0 ? { ...reply, heldAttributes: outcome.held } : reply;
  }

  /** Stores a host's inventory (Patchwise inventory JSON) and re-assesses that host only. */
  async putInventory(hostId: string, document: unknown, digest: string): Promise<InventoryReply> {
    const inventory = this.parseUpload(hostId, document);
    // Handed on, not awaited: this frame, which holds the document, ends here instead of staying
    // suspended while the upload waits for its batch (the document is garbage once parsed).
    return this.storeUpload({ hostId, inventory, digest });
  }

  private async storeUpload(upload: Upload): Promise<InventoryReply> {
    const stored = await this.uploads.submit(upload);
    if ('error' in stored) throw stored.error;
    return stored.reply;
  }

  /** An uploaded document as the one host inventory it must be (parsed outside any transaction: it is CPU only). */
  parseUpload(hostId: string, document: unknown): HostInventory {
    const source = `inventory of host ${hostId}`;
    const { inventories } = parseInventoryObject(document, source, { packageCache: this.packages });
    const inventory = inventories[0];
    if (!inventory || inventories.length !== 1) throw new PatchwiseError('PW_INPUT_INVALID', 'expected one host inventory', { input: source });
    return inventory;
  }

  /**
   * Writes a batch of concurrent uploads in one transaction. Should that transaction fail as a
   * whole (a deadlock, a constraint one upload broke), each upload is written again in its own,
   * so one bad upload costs the others only a retry and each caller gets its own answer.
   */
  private async writeUploads(uploads: readonly Upload[]): Promise<Stored[]> {
    if (uploads.length > 1) {
      try {
        return await this.assessingTransaction((trx) => this.storeInventories(trx, uploads));
      } catch {
        // fall through: one at a time
      }
    }
    const out: Stored[] = [];
    for (const upload of uploads) {
      try {
        out.push(...(await this.assessingTransaction((trx) => this.storeInventories(trx, [upload]))));
      } catch (error) {
        out.push({ error });
      }
    }
    return out;
  }

  /**
   * Runs `work`, which assesses hosts from this process's in-memory advisories, in a transaction
   * in which those advisories are the ones committed and stay so until it commits: feed writers
   * are held off meanwhile (`FeedStore.holdWriters`), and a change committed before, by this
   * process or another on the same PostgreSQL, is applied first (then the transaction starts
   * again). Without it, an upload to one process right after another imported a feed would be
   * assessed without the new records, and the importer's re-assessment, which reads only
   * committed inventories, could miss that host: its findings would stay stale until its next
   * change. Feed writes wait for the transactions in flight; these wait for a write in progress.
   */
  async assessingTransaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const done = await this.db.transaction().execute(async (trx) => {
        const mark = await new FeedStore(tablesOf(trx), this.clock).holdWriters();
        // Behind: nothing is written; follow outside the transaction (PGlite has one connection).
        if (BigInt(mark) > BigInt(this.feedMark) && attempt < MAX_FOLLOW_ATTEMPTS) return undefined;
        return { value: await work(trx) };
      });
      if (done) return done.value;
      await this.followFeeds();
    }
  }

  /**
   * Stores one inventory in the caller's transaction, which `assessingTransaction` opened (an agentless scan passes the facts it read,
   * recorded as a check-in with the host name kept, and the person who asked for it); a machine
   * id other than the stored one is refused (PW_CONFLICT), since the address may now lead elsewhere.
   */
  async storeInventory(trx: Kysely<Database>, hostId: string, inventory: HostInventory, digest: string, scan?: Scan): Promise<InventoryReply> {
    const [stored] = await this.storeInventories(trx, [{ hostId, inventory, digest, ...(scan ? { scan } : {}) }]);
    if (!stored || 'error' in stored) throw stored?.error;
    return stored.reply;
  }

  /**
   * Stores inventories in the caller's transaction: the host rows locked (all at once, in id
   * order), each snapshot saved, each host re-assessed, the findings of all written together,
   * an audit event for each that changed. A host that may not upload (missing, quarantined,
   * retired, another machine) gets its refusal as its answer and nothing of it is written.
   */
  private async storeInventories(trx: Kysely<Database>, uploads: readonly Upload[]): Promise<Stored[]> {
    const hosts = new HostStore(tablesOf(trx), this.clock, this.snapshots);
    const locked = await hosts.lockMany(uploads.map((u) => u.hostId));
    const answers: Stored[] = [];
    const accepted: { index: number; upload: Upload; host: HostRecord; findings: AssessedFinding[]; runningKernel: string | undefined; installed: InstalledTargets }[] = [];
    for (const [index, upload] of uploads.entries()) {
      let host: HostRecord;
      try {
        host = this.acceptUpload(locked.get(upload.hostId), upload);
      } catch (error) {
        answers[index] = { error };
        continue;
      }
      if (upload.scan) await hosts.recordCheckin(host.id, { ...identityOf(upload.scan.facts), name: host.name, facts: { ...upload.scan.facts } });
      const { inventory } = upload;
      // The document's own running kernel, else the one the host reported (agentless: just now).
      const runningKernel = inventory.runningKernel ?? runningKernelOf(upload.scan?.facts ?? host.facts);
      const findings = this.assessor.assess({ ...inventory, runningKernel }, host.attributes);
      accepted.push({ index, upload, host, findings, runningKernel, installed: new InstalledTargets({ packages: inventory.packages, runningKernel }) });
    }
    const matchName = (p: InstalledPackage) => matchTarget(p).name;
    await hosts.saveInventories(accepted.map((a) => ({ id: a.host.id, digest: a.upload.digest, packages: a.upload.inventory.packages, matchName, idleKernels: idleKernels(a.upload.inventory.packages, a.runningKernel) })));
    const findings = new FindingsStore(tablesOf(trx), this.clock, this.knownDetails);
    const changes = await findings.syncHosts(accepted.map((a) => ({ hostId: a.host.id, findings: a.findings, installed: a.installed })));
    // The audit events last: they take the trail's lock, held until this transaction commits.
    const events = accepted.flatMap((a, i): AuditEventInput[] =>
      a.host.inventoryDigest === a.upload.digest
        ? []
        : [{
            actor: a.upload.scan?.actor ?? agentActor(a.host),
            action: 'host.inventory.replace',
            target: { kind: 'host', id: a.host.id },
            before: a.host.inventoryDigest,
            after: a.upload.digest,
            details: { packages: a.upload.inventory.packages.length, ...(changes[i] as FindingChanges) },
          }],
    );
    await new AuditStore(tablesOf(trx), this.clock).appendMany(events);
    for (const [i, a] of accepted.entries()) {
      const packages = a.upload.inventory.packages;
      // After syncHosts the host's open findings are exactly these: counted here, not queried.
      const uncovered = [...new Set(packages.map((p) => p.ecosystem))].filter((e) => !this.assessor.covers(e)).sort();
      answers[a.index] = { reply: { packages: packages.length, changes: changes[i] as FindingChanges, open: countOpen(a.findings), uncovered } };
    }
    return answers;
  }

  /** The locked host an upload is for, if it may store one (else the refusal, thrown). */
  private acceptUpload(host: HostRecord | undefined, upload: Upload): HostRecord {
    if (!host) throw new PatchwiseError('PW_NOT_FOUND', `no host ${upload.hostId}`);
    this.refuseQuarantined(host);
    const seen = upload.scan?.facts.machineId;
    if (host.machineId && seen && seen !== host.machineId) {
      throw new PatchwiseError('PW_CONFLICT', `host ${host.id} (${host.name}) had machine id ${host.machineId}, the machine at its address now reports ${seen}: nothing stored; if it was reinstalled, remove it and register it again`);
    }
    return host;
  }

  async setAttributes(hostId: string, patch: HostAttributePatch, actor: AuditActor): Promise<HostRecord> {
    const host = await this.db.transaction().execute(async (trx) => this.auditedAttributes(trx, refuseRetired(await new HostStore(tablesOf(trx), this.clock).lock(hostId), 'PW_CONFLICT'), patch, actor, true));
    await this.reassessHosts([hostId]);
    return host;
  }

  async setQuarantine(hostId: string, quarantined: boolean, reason: string | null, actor: AuditActor): Promise<HostRecord> {
    return this.db.transaction().execute(async (trx) => {
      const hosts = new HostStore(tablesOf(trx), this.clock);
      const before = refuseRetired(await hosts.lock(hostId), 'PW_CONFLICT');
      await hosts.setStatus(hostId, quarantined ? 'quarantined' : 'active', quarantined ? (reason ?? 'quarantined by an admin') : null);
      const after = await hosts.require(hostId);
      if (after.status !== before.status || after.quarantineReason !== before.quarantineReason) {
        await this.audit(trx, {
          actor,
          action: quarantined ? 'host.quarantine' : 'host.release',
          target: { kind: 'host', id: hostId },
          before: auditDigest(auditedState(before)),
          after: auditDigest(auditedState(after)),
          ...(reason ? { details: { reason } } : {}),
        });
      }
      return after;
    });
  }

  /**
   * Takes a host out of the fleet (docs/ARCHITECTURE.md, "Retired hosts"): its agent is refused
   * from the next request on, and lists, counts, reports, selections and reconciliation leave it
   * out; its findings and history stay stored. Final: the machine comes back only by enrolling
   * again, as a new host. Refused while a deployment still waits on one of its jobs.
   */
  async retire(hostId: string, reason: string | null, actor: AuditActor): Promise<HostRecord> {
    return this.db.transaction().execute(async (trx) => {
      const hosts = new HostStore(tablesOf(trx), this.clock);
      // The row lock orders this after any upload or re-assessment of the host in flight.
      const before = refuseRetired(await hosts.lock(hostId), 'PW_CONFLICT');
      const waiting = await new RolloutStore(tablesOf(trx)).deploymentsAwaiting(hostId);
      if (waiting.length > 0) {
        throw new PatchwiseError('PW_CONFLICT', `host ${before.name} (${hostId}) has unfinished jobs in deployment(s) ${waiting.join(', ')}; let them finish or cancel the deployment(s) first`);
      }
      const after = await hosts.retire(hostId, reason);
      await this.audit(trx, {
        actor,
        action: 'host.retire',
        target: { kind: 'host', id: hostId },
        before: auditDigest(auditedState(before)),
        after: auditDigest(auditedState(after)),
        details: { name: before.name, previousStatus: before.status, ...(reason ? { reason } : {}) },
      });
      return after;
    });
  }

  /**
   * Imports feed files: stores what changed, updates the in-memory advisories, and re-assesses
   * only the hosts carrying a package name that a changed record touches (all hosts with
   * findings when enrichment changed, since priorities may move). A file that fails validation
   * is reported and changes nothing.
   */
  async importFeeds(paths: readonly string[], source: string, actor: AuditActor, options: { readonly kind?: FeedSource['kind'] } = {}): Promise<FeedImportReply> {
    const batch = await readFeedBatch(paths);
    if (batch.records.length === 0 && batch.documents.length === 0 && batch.nvdPages.length === 0 && batch.problems.length > 0) {
      throw batch.problems[0] as PatchwiseError;
    }
    if (options.kind) refuseOtherKinds(batch, options.kind, paths);
    const { changes, documents, keptOut, documentEntries, nvd } = await this.db.transaction().execute(async (trx) => {
      const feeds = new FeedStore(tablesOf(trx), this.clock);
      const changes = await feeds.applyRecords(batch.records, source);
      const documents: string[] = [];
      const keptOut: DocumentKeptOut[] = [];
      let documentEntries = 0;
      for (const doc of batch.documents) {
        const put = await feeds.putDocument(doc, source);
        if (put.outcome === 'stored') documents.push(doc.kind);
        else if (put.outcome === 'kept-out') keptOut.push(put.keptOut);
        if (put.outcome !== 'kept-out') documentEntries += doc.count;
      }
      const nvd = await feeds.applyNvd(batch.nvd, source);
      if (nvd.stored > 0) documents.push('nvd');
      documentEntries += nvd.stored + nvd.unchanged;
      if (changes.inserted.length + changes.updated.length + documents.length > 0) {
        await this.audit(trx, {
          actor,
          action: 'feeds.import',
          target: { kind: 'feed', id: source },
          details: { inserted: changes.inserted.length, updated: changes.updated.length, unchanged: changes.unchanged, older: changes.older.length, documents, ...(nvd.stored > 0 ? { nvdStored: nvd.stored } : {}) },
        });
      }
      return { changes, documents, keptOut, documentEntries, nvd };
    });
    const { hostsReassessed, findings } = await this.followAndReassess();
    return {
      records: { inserted: changes.inserted.length, updated: changes.updated.length, unchanged: changes.unchanged, older: changes.older.length },
      documents,
      keptOut,
      nvd,
      hostsReassessed,
      documentEntries,
      findings,
      problems: batch.problems.map((p) => p.message),
      warnings: batch.warnings.length,
    };
  }

  /**
   * Removes everything a feed stored (`feeds forget`), named as `feeds status` shows it (`kev`,
   * `epss`, `nvd` for imported enrichment) or by its stored source name: its advisory records, NVD
   * records, enrichment documents and sync state, then re-assesses the hosts that can match what
   * left. Their findings for it are retracted, not fixed: the hosts did not change. A source of
   * the server's --feeds file is refused (its next sync would bring it all back); so is a name
   * that holds nothing, which is more likely a typo than a request: that error lists the names
   * that can be forgotten, so the caller need not guess which naming is meant.
   */
  async forgetFeedSource(source: string, actor: AuditActor, configured: ReadonlySet<string>): Promise<FeedForgetReply> {
    if (configured.has(source)) {
      throw new PatchwiseError('PW_CONFLICT', `feed source ${source} is configured in the server's --feeds file, so its next sync would bring it back: remove it from the file and restart the server first`);
    }
    const removed = await this.db.transaction().execute(async (trx) => {
      const feeds = new FeedStore(tablesOf(trx), this.clock);
      const removed = await feeds.forget(source);
      const held = removed.advisories.length + removed.nvd.length + removed.documents.length;
      if (held === 0 && !removed.syncState) {
        const names = await feeds.forgettableNames(configured);
        const known = names.length > 0 ? `the names that can be forgotten: ${names.join(', ')}` : 'nothing is held that can be forgotten (configured sources are removed from the --feeds file first)';
        throw new PatchwiseError('PW_NOT_FOUND', `nothing is held from a feed source named ${source}; ${known}`);
      }
      await this.audit(trx, {
        actor,
        action: 'feeds.forget',
        target: { kind: 'feed', id: source },
        details: { advisories: removed.advisories.length, nvd: removed.nvd.length, documents: removed.documents },
      });
      return removed;
    });
    const { hostsReassessed, findings } = await this.followAndReassess();
    return { advisories: removed.advisories.length, nvd: removed.nvd.length, documents: [...removed.documents], hostsReassessed, findings };
  }

  /**
   * After a feed change this process made: takes what changed from the database, as other
   * processes do (anything another process stored meanwhile comes too), and re-assesses only the
   * hosts it can reach. Advisories touch hosts carrying their packages; enrichment touches hosts
   * with findings for the CVEs it changed (a daily EPSS file changes most of them: then every
   * active host).
   */
  private async followAndReassess(): Promise<{ hostsReassessed: number; findings: FindingChanges }> {
    const followed = await this.followFeeds();
    const hosts = new HostStore(tablesOf(this.db), this.clock);
    const targets = new Set(await this.hostsTouchedBy(hosts, followed.keys));
    if (followed.cves.length > MAX_CVES_TO_TARGET) for (const id of await hosts.ids({ status: 'active' })) targets.add(id);
    else for (const id of await new FindingsStore(tablesOf(this.db), this.clock).hostsWithOpenFindingsFor(followed.cves)) targets.add(id);
    return { hostsReassessed: targets.size, findings: await this.reassessHosts([...targets]) };
  }

  /**
   * The active hosts carrying a package whose answers the touched keys may change: per host
   * ecosystem (one query each), the names that can reach its hosts (`touchedNamesFor`: a Debian
   * record never reaches an AlmaLinux host's openssl, a PyPI record reaches every host).
   */
  private async hostsTouchedBy(hosts: HostStore, keys: readonly TouchedKey[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const ecosystems: (string | null)[] = [null, ...(await hosts.activeEcosystems()).map((e) => e.ecosystem)];
    const ids: string[] = [];
    for (const ecosystem of ecosystems) ids.push(...(await hosts.hostsWithNames([...touchedNamesFor(keys, ecosystem)], ecosystem)));
    return ids;
  }

  /**
   * Re-assesses hosts from their stored snapshots, a few hosts a transaction and a few such
   * transactions at once: each waits mostly on the database, and PostgreSQL serves several
   * connections at once (PGlite runs them one after another, no worse than before). A batch
   * costs its statements once for all its hosts, as uploads stored together do. Returns what
   * changed, summed.
   */
  async reassessHosts(hostIds: readonly string[]): Promise<FindingChanges> {
    const batches: string[][] = [];
    for (let i = 0; i < hostIds.length; i += REASSESS_BATCH) batches.push(hostIds.slice(i, i + REASSESS_BATCH));
    let next = 0;
    const total = { opened: 0, updated: 0, fixed: 0, retracted: 0 };
    const worker = async () => {
      while (next < batches.length) {
        for (const c of await this.reassessBatch(batches[next++] as string[])) {
          total.opened += c.opened;
          total.updated += c.updated;
          total.fixed += c.fixed;
          total.retracted += c.retracted;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(REASSESS_CONCURRENCY, batches.length) }, worker));
    return total;
  }

  private async reassessBatch(hostIds: readonly string[]): Promise<FindingChanges[]> {
    return this.assessingTransaction(async (trx) => {
      const hosts = new HostStore(tablesOf(trx), this.clock, this.snapshots);
      const locked = await hosts.lockMany(hostIds);
      // A retired host's findings stay as they were when it left: history, not a live assessment.
      const live = [...locked.values()].filter((h) => h.inventoryAt !== null && h.status !== 'retired');
      const stored = await hosts.packagesOfHosts(live.map((h) => h.id));
      const syncs = live.map((host): HostSync => {
        const packages = sharedPackages(this.packages, stored.get(host.id) ?? []);
        const runningKernel = runningKernelOf(host.facts);
        const findings = this.assessor.assess({ host: host.name, source: `host ${host.id}`, packages, runningKernel }, host.attributes);
        // From the stored snapshot: a finding leaves because the advisories changed (retracted),
        // or because the host now runs another kernel than the one it had (fixed).
        return { hostId: host.id, findings, installed: new InstalledTargets({ packages, runningKernel }) };
      });
      return new FindingsStore(tablesOf(trx), this.clock, this.knownDetails).syncHosts(syncs);
    });
  }

  /**
   * Deletes past inventory snapshots no host holds and no upload used for a grace period
   * (HostStore.pruneSnapshots), a slice per statement; returns how many went.
   */
  async pruneSnapshots(): Promise<number> {
    const hosts = new HostStore(tablesOf(this.db), this.clock, this.snapshots);
    let total = 0;
    for (;;) {
      const deleted = await hosts.pruneSnapshots(SNAPSHOT_PRUNE_SLICE);
      total += deleted;
      if (deleted < SNAPSHOT_PRUNE_SLICE) return total;
    }
  }

  /** Appends the audit event of a change inside the change's own transaction. */
  private async audit(trx: Kysely<Database>, event: AuditEventInput): Promise<void> {
    await new AuditStore(tablesOf(trx), this.clock).append(event);
  }

  /** Sets attributes on a locked host and records who changed them from what to what. */
  private async auditedAttributes(trx: Kysely<Database>, host: HostRecord, patch: HostAttributePatch, actor: AuditActor, byPerson = false): Promise<HostRecord> {
    const after = await new HostStore(tablesOf(trx), this.clock).setAttributes(host.id, patch, byPerson);
    await this.audit(trx, {
      actor,
      action: 'host.attributes.set',
      target: { kind: 'host', id: host.id },
      before: auditDigest(host.attributes),
      after: auditDigest(after.attributes),
      details: { changed: Object.keys(patch).sort() },
    });
    return after;
  }

  /** An agent's request (or a scan) for a host that is not active: refused with the reason. */
  private refuseQuarantined(host: HostRecord): void {
    refuseRetired(host);
    if (host.status === 'quarantined') throw new PatchwiseError('PW_QUARANTINED', `host ${host.id} is quarantined: ${host.quarantineReason ?? 'no reason given'}`);
  }
}

/**
 * A retired host is final: its agent is refused (PW_HOST_RETIRED, on which it stops) and nothing
 * about it changes any more (a person asking gets PW_CONFLICT: the request, not the caller, is wrong).
 */
function refuseRetired(host: HostRecord, code: 'PW_HOST_RETIRED' | 'PW_CONFLICT' = 'PW_HOST_RETIRED'): HostRecord {
  if (host.status === 'retired') {
    const when = host.retiredAt ? ` on ${host.retiredAt.toISOString()}` : '';
    throw new PatchwiseError(code, `host ${host.id} (${host.name}) was retired${when}${host.retiredReason ? `: ${host.retiredReason}` : ''}; enroll the machine again to bring it back`);
  }
  return host;
}

/**
 * A configured source must serve what its kind says: a KEV source serving OSV records (or an OSV
 * source serving a catalog) is misconfigured or compromised, so nothing of it is stored.
 */
function refuseOtherKinds(batch: FeedBatch, kind: FeedSource['kind'], paths: readonly string[]): void {
  const input = paths.length === 1 ? { input: paths[0] as string } : {};
  const kinds = [...batch.documents.map((d) => d.kind), ...(batch.nvdPages.length > 0 ? ['nvd'] : [])];
  const others = kinds.filter((k) => k !== kind);
  if (kind === 'osv') {
    if (others.length > 0) throw new PatchwiseError('PW_INPUT_INVALID', `expected OSV records, found ${others.join(', ')}; nothing imported`, input);
    return;
  }
  if (batch.records.length > 0 || others.length > 0) {
    const found = batch.records.length > 0 ? `${batch.records.length} OSV record${batch.records.length === 1 ? '' : 's'}` : others.join(', ');
    throw new PatchwiseError('PW_INPUT_INVALID', `expected a ${kind} document, found ${found}; nothing imported`, input);
  }
}

/** The server acting on its own (identity checks); feed syncs name themselves. */
const SERVER: AuditActor = { kind: 'system', id: 'server' };

function agentActor(host: Pick<HostRecord, 'id' | 'name'>): AuditActor {
  return { kind: 'agent', id: host.id, name: host.name };
}

/** What an audit digest of a host covers: who it is and what people decided about it, not its facts. */
function auditedState(h: Pick<HostRecord, 'name' | 'machineId' | 'status' | 'quarantineReason' | 'attributes'>) {
  return { name: h.name, machineId: h.machineId, status: h.status, quarantineReason: h.quarantineReason, attributes: h.attributes };
}

function identityOf(facts: AgentFacts): Pick<HostRecord, 'name' | 'machineId' | 'os' | 'ecosystem'> {
  return {
    name: facts.hostname,
    machineId: facts.machineId ?? null,
    os: facts.os ? { id: facts.os.id, versionId: facts.os.versionId ?? null } : null,
    ecosystem: ecosystemOf(facts),
  };
}

function ecosystemOf(facts: AgentFacts): string | null {
  if (!facts.os) return null;
  try {
    return ecosystemForDistro(facts.os.id, facts.os.versionId ?? '');
  } catch {
    return null; // a distribution OSV does not cover: its language packages still match
  }
}

/**
 * An agent's attribute patch split in what it may set and the keys a person holds at another
 * value (left as the person set them, and named back to the agent).
 */
function splitHeld(host: HostRecord, patch: HostAttributePatch): { own: HostAttributePatch; held: string[] } {
  const own: Record<string, unknown> = {};
  const held: string[] = [];
  const current = host.attributes as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (!host.personAttributes.includes(key)) own[key] = value;
    else if (JSON.stringify(current[key]) !== JSON.stringify(value)) held.push(key);
  }
  return { own, held: held.sort() };
}

function changesAttributes(host: HostRecord, patch: HostAttributePatch): boolean {
  const next = applyAttributePatch(host.attributes, patch);
  return JSON.stringify(next) !== JSON.stringify(host.attributes);
}

/** The running kernel a host last reported (fact `kernel`), for leaving idle kernels out of its assessment. */
function runningKernelOf(facts: Readonly<Record<string, unknown>>): string | undefined {
  return typeof facts.kernel === 'string' && facts.kernel !== '' ? facts.kernel : undefined;
}
