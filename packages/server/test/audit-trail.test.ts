/**
 * The audit trail against direct SQL tampering: edits, deletions, reordering, insertions, a
 * cut-off tail and a whole rewritten chain are each found, and verification names the event.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, auditDigest, eventHash, generateAgentKeyPair, type AuditSigner, type DatabaseHandle } from '@patchwise/core';
import { tablesOf, type Database } from '../src/database.js';
import { openTestDatabase, postgresAvailable } from './support/test-database.js';
import { TestClock } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const keys = generateAgentKeyPair();
const signer: AuditSigner = { publicKey: keys.publicKey, privateKeyPem: keys.privateKeyPem };

describe.each(kinds)('audit trail on %s', (kind) => {
  let db: DatabaseHandle<Database>;
  let clock: TestClock;
  let audit: AuditStore;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await sql`truncate audit_events, audit_checkpoints`.execute(db.db);
    clock = new TestClock();
    audit = new AuditStore(tablesOf(db.db), clock.read);
    for (let i = 1; i <= 5; i++) {
      clock.advance(1000);
      await audit.append({
        actor: { kind: i % 2 ? 'token' : 'agent', id: `actor-${i}`, name: i % 2 ? 'ops admin' : undefined },
        action: 'host.attributes.set',
        target: { kind: 'host', id: `host-${i}` },
        before: auditDigest({ tier: 2 }),
        after: auditDigest({ tier: i % 4 }),
        details: { changed: ['tier'], n: i },
      });
    }
  });

  const run = (q: string) => sql.raw(q).execute(db.db);

  it('chains events and verifies an untouched log, with a signed checkpoint', async () => {
    const events = await audit.events({ limit: 10 });
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events[1]?.prevHash).toBe(events[0]?.hash);
    expect(eventHash({ ...events[4]!, hash: undefined } as never)).toBe(events[4]?.hash);
    expect(await audit.checkpoint(signer)).toEqual({ seq: 5, hash: events[4]?.hash });
    expect(await audit.checkpoint(signer)).toBeUndefined(); // nothing new to sign
    expect(await audit.verify(signer.publicKey)).toEqual({ ok: true, events: 5, checkpoints: 1 });
  });

  it('names an edited event', async () => {
    await run(`update audit_events set actor_id = 'someone-else' where seq = 3`);
    expect(await audit.verify(signer.publicKey)).toMatchObject({ ok: false, seq: 3, reason: expect.stringMatching(/event 3 was altered/) });
  });

  it('names an edit to the details JSON or the time', async () => {
    await run(`update audit_events set details = '{"changed":["tier"],"n":99}' where seq = 2`);
    expect(await audit.verify(signer.publicKey)).toMatchObject({ ok: false, seq: 2 });
  });

  it('names a deleted event', async () => {
    await run(`delete from audit_events where seq = 3`);
    expect(await audit.verify(signer.publicKey)).toMatchObject({ ok: false, seq: 3, reason: expect.stringMatching(/event 3 is missing/) });
  });

  it('names reordered events', async () => {
    await run(`update audit_events set seq = -seq where seq in (2, 4)`);
    await run(`update audit_events set seq = case seq when -2 then 4 else 2 end where seq < 0`);
    expect(await audit.verify(signer.publicKey)).toMatchObject({ ok: false, seq: 2 });
  });

  it('finds events cut off the end after a checkpoint, and a chain rewritten without the key', async () => {
    await audit.checkpoint(signer);
    await run(`delete from audit_events where seq >= 4`);
    expect(await audit.verify(signer.publicKey)).toMatchObject({ ok: false, seq: 5, reason: expect.stringMatching(/events 4–5 were deleted from the end/) });

    // Rebuild events 4 and 5 with a forged content and correct hashes: the chain holds, the signature does not.
    await run(`truncate audit_events`);
    const forger = new AuditStore(tablesOf(db.db), clock.read);
    for (let i = 1; i <= 5; i++) await forger.append({ actor: { kind: 'system', id: 'forger' }, action: 'host.attributes.set', target: { kind: 'host', id: `host-${i}` } });
    expect(await audit.verify(signer.publicKey)).toMatchObject({ ok: false, seq: 5, reason: expect.stringMatching(/rewritten/) });

    // A checkpoint signed with another key is not trusted either.
    const other = generateAgentKeyPair();
    await run(`truncate audit_checkpoints`);
    await forger.checkpoint({ publicKey: other.publicKey, privateKeyPem: other.privateKeyPem });
    expect(await audit.verify(signer.publicKey)).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed by this server's key/) });
  });

  it('keeps seq and hashes in order when appends race', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => audit.append({ actor: { kind: 'system', id: 'race' }, action: 'test.append', target: { kind: 'test', id: String(i) } })));
    expect(await audit.verify(signer.publicKey)).toEqual({ ok: true, events: 25, checkpoints: 0 });
  });
});
