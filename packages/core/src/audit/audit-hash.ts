import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * Who did it: a person (user), an agent (its host), or the server itself. `token` is what
 * events written before users existed name (an API token).
 */
export interface AuditActor {
  readonly kind: 'user' | 'token' | 'agent' | 'system';
  /** User id, token id, host id, or the system component (`feed-sync`, `server`). */
  readonly id: string;
  /** A readable name (user name, host name), for people reading the log. */
  readonly name?: string | undefined;
  /** The credential a person used: `token:<id>` or `session:<id>`. */
  readonly via?: string | undefined;
}

/** What happened to what, as a use case reports it. */
export interface AuditEventInput {
  readonly actor: AuditActor;
  /** Dotted verb, e.g. `host.enroll`, `host.attributes.set`, `feeds.import`. */
  readonly action: string;
  readonly target: { readonly kind: string; readonly id: string };
  /** SHA-256 of the target's state before and after (auditDigest), null when it did not exist. */
  readonly before?: string | null;
  readonly after?: string | null;
  /** Small facts worth keeping with the event (counts, names); never secrets. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** One event as chained: its place, time, content, and the hashes linking it to the one before. */
export interface AuditEvent extends Required<Omit<AuditEventInput, 'details'>> {
  readonly seq: number;
  readonly at: Date;
  readonly details: Readonly<Record<string, unknown>>;
  readonly prevHash: string;
  readonly hash: string;
}

/** The prevHash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * SHA-256 over the RFC 8785 (JCS) canonical JSON of a value: the same bytes whatever the key
 * order or the database's JSON rendering, so a digest taken today verifies years later.
 */
export function auditDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

/**
 * RFC 8785 (JCS) canonical JSON: keys sorted by code unit, numbers in their shortest form, no
 * whitespace. What the audit chain hashes and job manifests sign, so both agree byte for byte.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return text;
}

/** The hash of an event: every field but the hash itself, the previous hash included. */
export function eventHash(event: Omit<AuditEvent, 'hash'>): string {
  return auditDigest({
    seq: event.seq,
    at: event.at.toISOString(),
    // `via` joined the actor later; hashed only when present, so older events keep their hashes.
    actor: { kind: event.actor.kind, id: event.actor.id, name: event.actor.name ?? null, ...(event.actor.via !== undefined ? { via: event.actor.via } : {}) },
    action: event.action,
    target: event.target,
    before: event.before,
    after: event.after,
    details: event.details,
    prevHash: event.prevHash,
  });
}
