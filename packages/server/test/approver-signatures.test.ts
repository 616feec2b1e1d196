/**
 * Approvers' own keys: registered by their owners (public half only), used to sign changes they
 * approved; the server checks each signature against the change and its patch set and keeps it
 * for job manifests, which agents that pinned M of those keys then accept, and nothing less.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  approvedTargetsDigest,
  jobSigningKeyId,
  parsePublicKey,
  signApprovalStatement,
  signJobManifest,
  verifyJobManifest,
  type ApprovalStatement,
  type ApprovedTarget,
  type ApproverSignature,
  type JobManifest,
} from '@patchwise/core';
import { postgresAvailable } from './support/test-database.js';
import { TEST_JOB_SIGNING_KEY, admin, eachTestApp, personHeaders, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;
const TARGETS: ApprovedTarget[] = [
  { ecosystem: 'AlmaLinux:9', package: 'openssl-libs', version: '1:3.0.7-27.el9_4' },
  { ecosystem: 'AlmaLinux:9', package: 'curl', version: '7.76.1-29.el9_4.1' },
];
const HOST = '7d3f6a52-0c1e-4b8a-9f57-2f1c9b1d0e11';

describe.each(kinds)('approver keys and change signatures on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) => t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const b64 = (k: KeyObject) => k.export({ format: 'jwk' }).x as string;

  /** A person holding the approver role with a registered key of their own. */
  async function approver(name: string) {
    const headers = await personHeaders(t, name, [{ role: 'approver' }]);
    const keys = generateKeyPairSync('ed25519');
    const res = await call('POST', '/api/v1/users/me/signing-keys', headers, { publicKey: b64(keys.publicKey), name: `${name}'s laptop` });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ keyId: jobSigningKeyId(keys.publicKey), name: `${name}'s laptop`, revokedAt: null });
    t.clock.advance(1000); // listed in the order made
    return { headers, keys, keyId: jobSigningKeyId(keys.publicKey) };
  }

  async function change(environment = 'prod') {
    expect((await call('PUT', `/api/v1/approval-policies/${environment}`, admin(t), { approvals: 2, approverRoles: ['approver'] })).statusCode).toBe(200);
    const ps = await call('POST', '/api/v1/patch-sets', admin(t), { name: 'fixes', targets: TARGETS });
    expect(ps.statusCode, ps.body).toBe(201);
    const res = await call('POST', '/api/v1/changes', admin(t), { kind: 'deployment', environment, patchSet: ps.json<{ number: number }>().number, title: 'fixes', reason: 'monthly' });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json<{ id: string }>().id, patchSetNumber: ps.json<{ number: number }>().number, environment };
  }

  function statementFor(c: { id: string; patchSetNumber: number; environment: string }, over: Partial<ApprovalStatement> = {}): ApprovalStatement {
    const expiresAt = new Date(t.clock.read().getTime() + 72 * 3600_000).toISOString();
    return { kind: 'patchwise-change-approval-v1', changeId: c.id, patchSetNumber: c.patchSetNumber, targetsDigest: approvedTargetsDigest(TARGETS), environment: c.environment, expiresAt, ...over };
  }

  const sign = (c: { id: string }, who: { headers: Record<string, string> }, signed: ApproverSignature) => call('POST', `/api/v1/changes/${c.id}/signatures`, who.headers, signed);

  it('keeps approvers’ signatures of a change; a manifest carrying M of them passes an agent that pinned their keys', async () => {
    const [alice, bob] = [await approver('alice'), await approver('bob')];
    const c = await change();
    for (const who of [alice, bob]) {
      expect((await call('POST', `/api/v1/changes/${c.id}/approve`, who.headers, {})).statusCode).toBe(200);
      const res = await sign(c, who, signApprovalStatement(statementFor(c), who.keys.privateKey));
      expect(res.statusCode, res.body).toBe(201);
      t.clock.advance(1000);
    }
    const listed = (await call('GET', `/api/v1/changes/${c.id}/signatures`, admin(t))).json<{ signatures: (ApproverSignature & { signedBy: { name: string } })[]; approvedTargets: ApprovedTarget[] }>();
    expect(listed.signatures.map((s) => s.signedBy.name)).toEqual(['alice', 'bob']);
    expect(listed.approvedTargets).toHaveLength(2); // in the patch set's own order
    expect(approvedTargetsDigest(listed.approvedTargets)).toBe(approvedTargetsDigest(TARGETS));

    // What the rollout engine will do: copy them into this host's manifest, sign it with the server key.
    const now = t.clock.read();
    const manifest: JobManifest = {
      v: 1, jobId: 'job-1', idempotencyKey: 'k1', deploymentId: 1, hostId: HOST, action: 'install', manager: 'dnf',
      targets: [{ name: 'curl', version: '7.76.1-29.el9_4.1' }], reboot: 'never', preSteps: [], postSteps: [], preChecks: [], postChecks: [],
      issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
      approvedTargets: listed.approvedTargets,
      approvals: listed.signatures.map(({ keyId, signature, statement }) => ({ keyId, signature, statement })),
    };
    const signed = JSON.parse(JSON.stringify(signJobManifest(manifest, TEST_JOB_SIGNING_KEY.privateKey))) as unknown;
    const options = { pinnedKey: parsePublicKey(TEST_JOB_SIGNING_KEY.publicKey), hostId: HOST, now, approverKeys: [alice.keys.publicKey, bob.keys.publicKey, generateKeyPairSync('ed25519').publicKey] };
    expect(verifyJobManifest(signed, { ...options, requiredApprovals: 2 }).targets).toEqual(manifest.targets);
    expect(() => verifyJobManifest(signed, { ...options, requiredApprovals: 3 })).toThrow(expect.objectContaining({ reason: 'approvals-missing' }));

    const events = (await call('GET', '/api/v1/audit/events', admin(t))).json<{ events: { action: string; actor: { name: string } }[] }>().events;
    expect(events.filter((e) => e.action === 'change.sign' || e.action === 'user.signing-key.register').map((e) => [e.action, e.actor.name])).toEqual([
      ['user.signing-key.register', 'alice'],
      ['user.signing-key.register', 'bob'],
      ['change.sign', 'alice'],
      ['change.sign', 'bob'],
    ]);
  });

  it('takes only signatures that confirm the signer’s own approval of exactly this change', async () => {
    const [alice, bob] = [await approver('alice'), await approver('bob')];
    const c = await change();
    const good = signApprovalStatement(statementFor(c), alice.keys.privateKey);
    const notYet = await sign(c, alice, good);
    expect([notYet.statusCode, notYet.json().error.message]).toEqual([409, expect.stringMatching(/approve change .* first/)]);
    expect((await call('POST', `/api/v1/changes/${c.id}/approve`, alice.headers, {})).statusCode).toBe(200);

    const refusals: [ApproverSignature, number, RegExp][] = [
      [signApprovalStatement(statementFor(c), bob.keys.privateKey), 403, /is not one of your registered signing keys/],
      [signApprovalStatement(statementFor(c, { environment: 'dev' }), alice.keys.privateKey), 400, /statement\.environment: is "dev", but this change's is "prod"/],
      [signApprovalStatement(statementFor(c, { patchSetNumber: c.patchSetNumber + 1 }), alice.keys.privateKey), 400, /statement\.patchSetNumber/],
      [signApprovalStatement(statementFor(c, { targetsDigest: approvedTargetsDigest(TARGETS.slice(1)) }), alice.keys.privateKey), 400, /statement\.targetsDigest/],
      [signApprovalStatement(statementFor(c, { expiresAt: t.clock.read().toISOString() }), alice.keys.privateKey), 400, /statement\.expiresAt: .* has passed/],
      [{ ...good, signature: signApprovalStatement(statementFor(c, { environment: 'dev' }), alice.keys.privateKey).signature }, 400, /signature: does not verify/],
      [{ ...good, keyId: 'nothex' }, 400, /body\.keyId/],
    ];
    for (const [signed, status, message] of refusals) {
      const res = await sign(c, alice, signed);
      expect([res.statusCode, res.json().error.message], JSON.stringify(signed.statement)).toEqual([status, expect.stringMatching(message)]);
    }
    expect((await sign(c, alice, good)).statusCode).toBe(201);
    // Signing again (a later expiry) replaces the earlier signature of that key.
    expect((await sign(c, alice, signApprovalStatement(statementFor(c, { expiresAt: new Date(t.clock.read().getTime() + 96 * 3600_000).toISOString() }), alice.keys.privateKey))).statusCode).toBe(201);
    expect((await call('GET', `/api/v1/changes/${c.id}/signatures`, admin(t))).json<{ signatures: unknown[] }>().signatures).toHaveLength(1);

    // A revoked key signs nothing new; a rejected change takes no signature.
    expect((await call('DELETE', `/api/v1/users/me/signing-keys/${alice.keyId}`, alice.headers)).statusCode).toBe(204);
    expect((await sign(c, alice, good)).json().error.message).toMatch(/was revoked/);
    const c2 = await change();
    expect((await call('POST', `/api/v1/changes/${c2.id}/approve`, bob.headers, {})).statusCode).toBe(200);
    expect((await call('POST', `/api/v1/changes/${c2.id}/reject`, alice.headers, { comment: 'no' })).statusCode).toBe(200);
    const rejected = await sign(c2, bob, signApprovalStatement(statementFor(c2), bob.keys.privateKey));
    expect([rejected.statusCode, rejected.json().error.message]).toEqual([409, expect.stringMatching(/is rejected/)]);
  });

  it('registers each public key once, lists one’s own, and shows admins every key with its owner', async () => {
    const alice = await approver('alice');
    const bob = await personHeaders(t, 'bob', [{ role: 'viewer' }]);
    const again = await call('POST', '/api/v1/users/me/signing-keys', bob, { publicKey: b64(alice.keys.publicKey) });
    expect([again.statusCode, again.json().error.message]).toEqual([409, expect.stringMatching(/is registered already/)]);
    const bad = await call('POST', '/api/v1/users/me/signing-keys', bob, { publicKey: 'not-a-key' });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'PW_INPUT_INVALID']);
    const own = generateKeyPairSync('ed25519');
    expect((await call('POST', '/api/v1/users/me/signing-keys', bob, { publicKey: b64(own.publicKey) })).json()).toMatchObject({ name: 'key of bob' });
    expect((await call('GET', '/api/v1/users/me/signing-keys', bob)).json<{ keys: { keyId: string }[] }>().keys.map((k) => k.keyId)).toEqual([jobSigningKeyId(own.publicKey)]);
    expect((await call('DELETE', `/api/v1/users/me/signing-keys/${alice.keyId}`, bob)).statusCode).toBe(404); // not bob's to revoke
    const all = (await call('GET', '/api/v1/signing-keys', admin(t))).json<{ keys: { user: string; publicKey: string }[] }>().keys;
    expect(all.map((k) => [k.user, k.publicKey])).toEqual([
      ['alice', b64(alice.keys.publicKey)],
      ['bob', b64(own.publicKey)],
    ]);
    expect((await call('GET', '/api/v1/signing-keys', bob)).statusCode).toBe(403);
  });
});
