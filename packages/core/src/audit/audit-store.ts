import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { GENESIS_HASH, eventHash, type AuditEvent, type AuditEventInput } from './audit-hash.js';
import type { AuditTables } from './tables.js';

/** pg_advisory_xact_lock key serialising appends ('pwau'), so seq and prevHash follow commit order. */
const AUDIT_LOCK = 0x70776175;
const PAGE = 5000;

/** The server's checkpoint key: Ed25519, private half kept in a file outside the database. */
export interface AuditSigner {
  /** base64url of the 32-byte public key. */
  readonly publicKey: string;
  readonly privateKeyPem: string;
}

export type AuditVerdict =
  | { readonly ok: true; readonly events: number; readonly checkpoints: number }
  | { readonly ok: false; readonly events: number; readonly seq: number; readonly reason: string };

type EventRow = Selectable<AuditTables['audit_events']>;

/** The append-only, hash-chained audit trail and its signed checkpoints. */
export class AuditStore {
  constructor(
    private readonly db: Kysely<AuditTables>,
    private readonly clock: () => Date,
  ) {}

  /**
   * Appends one event after the last, inside the caller's transaction when there is one (so the
   * event commits with the change it records), else in its own.
   */
  async append(input: AuditEventInput): Promise<AuditEvent> {
    return (await this.appendMany([input]))[0]!;
  }

  /**
   * Appends events in the given order after the last, as `append` does one: the lock taken and
   * the last event read once, the chain computed here, rows inserted in slices. A batch of job
   * reports recorded in one transaction writes its events together.
   */
  async appendMany(inputs: readonly AuditEventInput[]): Promise<AuditEvent[]> {
    if (inputs.length === 0) return [];
    if (!this.db.isTransaction) return this.db.transaction().execute((trx) => new AuditStore(trx, this.clock).appendMany(inputs));
    await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(this.db);
    const last = await this.db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    let seq = last ? Number(last.seq) : 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    const events = inputs.map((input): AuditEvent => {
      // JSON round trip: what is hashed is exactly what the database will give back.
      const details = JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>;
      const unsealed: Omit<AuditEvent, 'hash'> = {
        seq: ++seq,
        at: this.clock(),
        actor: { kind: input.actor.kind, id: input.actor.id, name: input.actor.name ?? undefined, via: input.actor.via ?? undefined },
        action: input.action,
        target: { kind: input.target.kind, id: input.target.id },
        before: input.before ?? null,
        after: input.after ?? null,
        details,
        prevHash,
      };
      const event: AuditEvent = { ...unsealed, hash: eventHash(unsealed) };
      prevHash = event.hash;
      return event;
    });
    // 14 columns a row: 2,000 rows stay well under a statement's 65,535 parameters.
    for (let at = 0; at < events.length; at += 2000) {
      await this.db
        .insertInto('audit_events')
        .values(
          events.slice(at, at + 2000).map((event) => ({
            seq: event.seq,
            at: event.at,
            actor_kind: event.actor.kind,
            actor_id: event.actor.id,
            actor_name: event.actor.name ?? null,
            actor_via: event.actor.via ?? null,
            action: event.action,
            target_kind: event.target.kind,
            target_id: event.target.id,
            before_digest: event.before,
            after_digest: event.after,
            details: JSON.stringify(event.details),
            prev_hash: event.prevHash,
            hash: event.hash,
          })),
        )
        .execute();
    }
    return events;
  }

  /** Events in order, from `afterSeq` (exclusive) and/or `since` (inclusive), at most `limit`. */
  async events(options: { afterSeq?: number; since?: Date; limit: number }): Promise<AuditEvent[]> {
    let q = this.db.selectFrom('audit_events').selectAll().orderBy('seq').limit(options.limit);
    if (options.afterSeq !== undefined) q = q.where('seq', '>', String(options.afterSeq) as never);
    if (options.since !== undefined) q = q.where('at', '>=', options.since);
    return (await q.execute()).map(toEvent);
  }

  /** Signs the current head of the chain, unless the last checkpoint already covers it. */
  async checkpoint(signer: AuditSigner): Promise<{ seq: number; hash: string } | undefined> {
    const head = await this.db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (!head) return undefined;
    const seq = Number(head.seq);
    const covered = await this.db.selectFrom('audit_checkpoints').select('seq').where('seq', '>=', head.seq as never).executeTakeFirst();
    if (covered) return undefined;
    const at = this.clock();
    const signature = sign(null, checkpointText(seq, head.hash, at), createPrivateKey(signer.privateKeyPem)).toString('base64url');
    await this.db.insertInto('audit_checkpoints').values({ seq, hash: head.hash, at, public_key: signer.publicKey, signature }).onConflict((oc) => oc.doNothing()).execute();
    return { seq, hash: head.hash };
  }

  /**
   * Walks the chain from the first event and names the first one that was edited, deleted,
   * inserted or moved by hand, then checks every checkpoint against `trustedPublicKey` (so a
   * rewritten chain with re-computed hashes still fails) and that no signed event was cut off
   * the end.
   */
  async verify(trustedPublicKey: string): Promise<AuditVerdict> {
    let expected = 1;
    let prev = GENESIS_HASH;
    const hashes = new Map<number, string>();
    for (;;) {
      const page = await this.db.selectFrom('audit_events').selectAll().where('seq', '>=', String(expected) as never).orderBy('seq').limit(PAGE).execute();
      for (const row of page) {
        const e = toEvent(row);
        const fail = (reason: string): AuditVerdict => ({ ok: false, events: expected - 1, seq: expected, reason });
        if (e.seq !== expected) return fail(`event ${expected} is missing (deleted): the next stored event is ${e.seq}`);
        if (e.prevHash !== prev) return fail(`event ${expected} does not follow event ${expected - 1} (its previous hash differs): events were reordered, replaced or deleted`);
        const { hash, ...unsealed } = e;
        if (eventHash(unsealed) !== hash) return fail(`event ${expected} was altered: its content does not match its hash`);
        hashes.set(e.seq, hash);
        prev = hash;
        expected++;
      }
      if (page.length < PAGE) break;
    }
    const count = expected - 1;
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: trustedPublicKey }, format: 'jwk' });
    const checkpoints = await this.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
    for (const c of checkpoints) {
      const seq = Number(c.seq);
      const fail = (reason: string): AuditVerdict => ({ ok: false, events: count, seq, reason });
      if (c.public_key !== trustedPublicKey || !verifySignature(key, checkpointText(seq, c.hash, c.at), c.signature)) {
        return fail(`checkpoint at event ${seq} is not signed by this server's key`);
      }
      const held = hashes.get(seq);
      if (held === undefined) return fail(`event ${seq} was signed in a checkpoint but is gone: events ${count + 1}–${seq} were deleted from the end`);
      if (held !== c.hash) return fail(`the chain up to event ${seq} was rewritten: it no longer matches its signed checkpoint`);
    }
    return { ok: true, events: count, checkpoints: checkpoints.length };
  }
}

function checkpointText(seq: number, hash: string, at: Date): Buffer {
  return Buffer.from(`patchwise-audit-checkpoint\n${seq}\n${hash}\n${at.toISOString()}`, 'utf8');
}

function verifySignature(key: KeyObject, data: Buffer, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64url');
  return sig.length === 64 && verify(null, data, key, sig);
}

function toEvent(r: EventRow): AuditEvent {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: { kind: r.actor_kind as AuditEvent['actor']['kind'], id: r.actor_id, name: r.actor_name ?? undefined, via: r.actor_via ?? undefined },
    action: r.action,
    target: { kind: r.target_kind, id: r.target_id },
    before: r.before_digest,
    after: r.after_digest,
    details: r.details as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
