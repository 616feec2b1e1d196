import type { Kysely } from 'kysely';
import type { ApprovalStatement, ApproverSignature } from '../rollout/index.js';
import type { Person } from './change-request.js';
import type { ApprovalsTables } from './tables.js';

/** An approver's signature over a change, with who made it (checked by the route that stored it). */
export interface ChangeSignature extends ApproverSignature {
  readonly signedBy: Person;
  readonly createdAt: Date;
}

/**
 * The approvers' signatures over change requests, as the rollout engine will copy them into job
 * manifests. One per change and key: signing again (a later expiry) replaces the earlier one.
 */
export class ChangeSignatureStore {
  constructor(
    private readonly db: Kysely<ApprovalsTables>,
    private readonly clock: () => Date,
  ) {}

  async put(changeId: string, signed: ApproverSignature, by: Person): Promise<ChangeSignature> {
    const values = { signed_by: by.id, signed_by_name: by.name, statement: JSON.stringify(signed.statement), signature: signed.signature, created_at: this.clock() };
    await this.db
      .insertInto('approvals_signatures')
      .values({ change_id: changeId, key_id: signed.keyId, ...values })
      .onConflict((oc) => oc.columns(['change_id', 'key_id']).doUpdateSet(values))
      .execute();
    return { ...signed, signedBy: by, createdAt: values.created_at };
  }

  async signatures(changeId: string): Promise<ChangeSignature[]> {
    const rows = await this.db.selectFrom('approvals_signatures').selectAll().where('change_id', '=', changeId).orderBy('created_at').orderBy('key_id').execute();
    return rows.map((r) => ({ keyId: r.key_id, signature: r.signature, statement: r.statement as unknown as ApprovalStatement, signedBy: { id: r.signed_by, name: r.signed_by_name }, createdAt: r.created_at }));
  }
}
