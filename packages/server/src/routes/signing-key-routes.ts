import { Type } from '@fastify/type-provider-typebox';
import {
  ApprovalStore,
  AuditStore,
  ChangeSignatureStore,
  PatchSetStore,
  PatchwiseError,
  SigningKeyStore,
  UserStore,
  approvedTargetsDigest,
  auditDigest,
  changeStatus,
  jobSigningKeyId,
  parseApproverSignature,
  parsePublicKey,
  verifyApproverSignature,
  type ChangeRequest,
  type ChangeSignature,
  type SigningKeyInfo,
} from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { personActor, personOf } from '../caller-actor.js';
import { tablesOf } from '../database.js';
import { callerScope } from '../host-scope.js';

const Text = Type.String();
const KeyView = Type.Object({ keyId: Text, publicKey: Text, name: Text, createdAt: Text, revokedAt: Type.Union([Text, Type.Null()]) });
const StatementView = Type.Object({ kind: Text, changeId: Text, patchSetNumber: Type.Integer(), targetsDigest: Text, environment: Text, expiresAt: Text });
const SignatureView = Type.Object({ keyId: Text, signature: Text, statement: StatementView, signedBy: Type.Object({ id: Text, name: Type.Union([Text, Type.Null()]) }), createdAt: Text });
const KeyIdParam = Type.Object({ keyId: Type.String({ pattern: '^[0-9a-f]{64}$' }) });
const IdParam = Type.Object({ id: Type.String({ format: 'uuid' }) });

const keyView = (k: SigningKeyInfo) => ({ keyId: k.keyId, publicKey: k.publicKey, name: k.name, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null });
const signatureView = (s: ChangeSignature) => ({ keyId: s.keyId, signature: s.signature, statement: { ...s.statement }, signedBy: s.signedBy, createdAt: s.createdAt.toISOString() });

/**
 * Approver keys and signatures (docs/job-manifests.md, "Approver signatures"). A person
 * registers the public half of a key their CLI made (`patchwise keys generate`, `keys
 * register`); after approving a change they sign a statement over it with that key (`patchwise
 * changes sign`), which the server checks and keeps for the rollout engine to put into job
 * manifests. The server never holds an approver's private key, so it cannot make an approval.
 */
export function signingKeyRoutes(app: App, deps: AppDeps): void {
  const keys = (db = deps.db) => new SigningKeyStore(tablesOf(db), deps.clock);
  const self = { auth: 'person', permission: 'self' } as const;

  app.post(
    '/api/v1/users/me/signing-keys',
    {
      config: self,
      schema: {
        summary: "Register the public half of one's own approval-signing key (Ed25519, 32 bytes in base64url)",
        body: Type.Object({ publicKey: Type.String({ minLength: 1, maxLength: 128 }), name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false }),
        response: { 201: KeyView },
      },
    },
    async (request, reply) => {
      const { publicKey, name } = request.body;
      const keyId = jobSigningKeyId(parsePublicKey(publicKey));
      const actor = personActor(request);
      const key = await deps.db.transaction().execute(async (trx) => {
        const registered = await keys(trx).register(actor.id, { keyId, publicKey, name: name ?? `key of ${actor.name ?? actor.id}` });
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor, action: 'user.signing-key.register', target: { kind: 'signing-key', id: keyId }, before: null, after: auditDigest(keyView(registered)), details: { user: actor.name, name: registered.name } });
        return registered;
      });
      return reply.status(201).send(keyView(key));
    },
  );

  app.get('/api/v1/users/me/signing-keys', { config: self, schema: { summary: "One's own approval-signing keys", response: { 200: Type.Object({ keys: Type.Array(KeyView) }) } } }, async (request) => ({
    keys: (await keys().keysOf(personOf(request).userId)).map(keyView),
  }));

  app.delete(
    '/api/v1/users/me/signing-keys/:keyId',
    { config: self, schema: { summary: "Revoke one's own signing key: it signs nothing new (agents that pinned it keep it until re-enrolled)", params: KeyIdParam, response: { 204: Type.Null() } } },
    async (request, reply) => {
      const actor = personActor(request);
      await deps.db.transaction().execute(async (trx) => {
        const before = await keys(trx).revoke(actor.id, request.params.keyId);
        const after = await keys(trx).key(before.keyId);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor, action: 'user.signing-key.revoke', target: { kind: 'signing-key', id: before.keyId }, before: auditDigest(keyView(before)), after: after ? auditDigest(keyView(after)) : null });
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/signing-keys',
    {
      config: { auth: 'person', permission: 'users.manage' },
      schema: { summary: 'Every registered approval-signing key with its owner: what an admin picks from for agents to pin', response: { 200: Type.Object({ keys: Type.Array(Type.Intersect([KeyView, Type.Object({ user: Text })])) }) } },
    },
    async () => {
      const users = new Map((await new UserStore(tablesOf(deps.db), deps.clock).users()).map((u) => [u.id, u.name]));
      return { keys: (await keys().all()).map((k) => ({ ...keyView(k), user: users.get(k.userId) ?? k.userId })) };
    },
  );

  app.post(
    '/api/v1/changes/:id/signatures',
    {
      config: { auth: 'person', permission: 'changes.approve' },
      schema: {
        summary: 'Add your signature over a change you approved: a statement of the change, its patch set, the digest of its targets, the environment and an expiry, signed with your registered key',
        params: IdParam,
        body: Type.Object({ keyId: Text, signature: Text, statement: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }),
        response: { 201: SignatureView },
      },
    },
    async (request, reply) => {
      const actor = personActor(request);
      const scope = await callerScope(request, deps);
      const now = deps.clock();
      const stored = await deps.db.transaction().execute(async (trx) => {
        const change = await new ApprovalStore(tablesOf(trx), deps.clock).lockChange(request.params.id);
        if (!scope.allowsChange(change)) throw new PatchwiseError('PW_NOT_FOUND', `no change request ${change.id}`);
        const signed = parseApproverSignature(request.body, 'body');
        const key = await keys(trx).key(signed.keyId);
        if (!key || key.userId !== actor.id) throw new PatchwiseError('PW_FORBIDDEN', `key ${signed.keyId} is not one of your registered signing keys (patchwise keys register)`);
        if (key.revokedAt) throw new PatchwiseError('PW_FORBIDDEN', `key ${signed.keyId} was revoked at ${key.revokedAt.toISOString()}`);
        checkSignable(change, actor.id, now);
        const patchSet = await new PatchSetStore(tablesOf(trx), deps.clock).require(Number(change.subject.id));
        const expected = { changeId: change.id, patchSetNumber: patchSet.number, targetsDigest: approvedTargetsDigest(patchSet.targets), environment: change.environment };
        for (const [field, value] of Object.entries(expected)) {
          const given = signed.statement[field as keyof typeof expected];
          if (given !== value) throw new PatchwiseError('PW_INPUT_INVALID', `statement.${field}: is ${JSON.stringify(given)}, but this change's is ${JSON.stringify(value)}`);
        }
        if (Date.parse(signed.statement.expiresAt) <= now.getTime()) throw new PatchwiseError('PW_INPUT_INVALID', `statement.expiresAt: ${signed.statement.expiresAt} has passed`);
        if (!verifyApproverSignature(signed, parsePublicKey(key.publicKey))) throw new PatchwiseError('PW_INPUT_INVALID', 'signature: does not verify over the statement with your key');
        const result = await new ChangeSignatureStore(tablesOf(trx), deps.clock).put(change.id, signed, { id: actor.id, name: actor.name ?? null });
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor, action: 'change.sign', target: { kind: 'change', id: change.id }, after: auditDigest(signatureView(result)), details: { keyId: signed.keyId, expiresAt: signed.statement.expiresAt, patchSet: patchSet.number } });
        return result;
      });
      return reply.status(201).send(signatureView(stored));
    },
  );

  app.get(
    '/api/v1/changes/:id/signatures',
    {
      config: { auth: 'person', permission: 'changes.read' },
      schema: {
        summary: "Approvers' signatures over a change, and the patch set targets they cover (what a job manifest carries as approvals and approvedTargets)",
        params: IdParam,
        response: { 200: Type.Object({ signatures: Type.Array(SignatureView), approvedTargets: Type.Array(Type.Object({ ecosystem: Text, package: Text, version: Text })) }) },
      },
    },
    async (request) => {
      const change = await new ApprovalStore(tablesOf(deps.db), deps.clock).requireChange(request.params.id);
      if (!(await callerScope(request, deps)).allowsChange(change)) throw new PatchwiseError('PW_NOT_FOUND', `no change request ${change.id}`);
      const patchSet = await new PatchSetStore(tablesOf(deps.db), deps.clock).require(Number(change.subject.id));
      const signatures = await new ChangeSignatureStore(tablesOf(deps.db), deps.clock).signatures(change.id);
      return { signatures: signatures.map(signatureView), approvedTargets: patchSet.targets.map((t) => ({ ecosystem: t.ecosystem, package: t.package, version: t.version })) };
    },
  );
}

/**
 * A signature is the cryptographic form of an approval its signer gave: only someone who
 * approved the change, while it is still requested or approved and unexpired, may sign it.
 */
function checkSignable(change: ChangeRequest, userId: string, now: Date): void {
  const status = changeStatus(change, now);
  if (status !== 'requested' && status !== 'approved') throw new PatchwiseError('PW_CONFLICT', `change ${change.id} is ${status}; only a requested or approved change can be signed`);
  if (!change.decisions.some((d) => d.by.id === userId && d.decision === 'approve')) {
    throw new PatchwiseError('PW_CONFLICT', `approve change ${change.id} first (patchwise changes approve ${change.id}); a signature only confirms your approval`);
  }
}
