import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import type { ExceptionCategory, ExceptionRequest, ExceptionState, FindingException } from './finding-exception.js';
import type { HostGroup, HostSelector } from './host-group.js';
import type { PatchBaseline } from './patch-baseline.js';
import { parseSlaPolicy, type SlaPolicy } from './sla-policy.js';
import type { PolicyTables } from './tables.js';

/** Host groups, exceptions and baselines as stored; validation happens before (parseHostGroup, parseExceptionRequest, parsePatchBaseline). */
export class PolicyStore {
  constructor(
    private readonly db: Kysely<PolicyTables>,
    private readonly clock: () => Date,
  ) {}

  /** Creates or replaces a group; returns the one it replaced, if any (for the audit trail). */
  async putGroup(group: HostGroup): Promise<HostGroup | undefined> {
    const before = await this.group(group.name);
    const now = this.clock();
    await this.db
      .insertInto('policy_groups')
      .values({ name: group.name, description: group.description, selector: JSON.stringify(group.selector), created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ description: group.description, selector: JSON.stringify(group.selector), updated_at: now }))
      .execute();
    return before;
  }

  async group(name: string): Promise<HostGroup | undefined> {
    const row = await this.db.selectFrom('policy_groups').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? { name: row.name, description: row.description, selector: row.selector as HostSelector } : undefined;
  }

  /**
   * The group, or PW_NOT_FOUND. `lock` holds its row until the transaction ends: `share` by
   * whoever is about to name the group (a baseline, a window), `update` by whoever deletes it,
   * so that the two queue up and a deletion never misses a reference made meanwhile.
   */
  async requireGroup(name: string, lock?: 'share' | 'update'): Promise<HostGroup> {
    let q = this.db.selectFrom('policy_groups').selectAll().where('name', '=', name);
    if (lock === 'share') q = q.forShare();
    if (lock === 'update') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no host group named ${name}`);
    return { name: row.name, description: row.description, selector: row.selector as HostSelector };
  }

  /** The SLA matrix set through policy as code (or the server's --sla file), if any. */
  async sla(): Promise<SlaPolicy | undefined> {
    const row = await this.db.selectFrom('policy_settings').select('value').where('key', '=', 'sla').executeTakeFirst();
    return row ? parseSlaPolicy(row.value, 'stored sla') : undefined;
  }

  async putSla(sla: SlaPolicy): Promise<void> {
    const values = { value: JSON.stringify(sla), updated_at: this.clock() };
    await this.db.insertInto('policy_settings').values({ key: 'sla', ...values }).onConflict((oc) => oc.column('key').doUpdateSet(values)).execute();
  }

  async groups(): Promise<HostGroup[]> {
    const rows = await this.db.selectFrom('policy_groups').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, description: r.description, selector: r.selector as HostSelector }));
  }

  /**
   * Deletes a group no baseline names; PW_CONFLICT names the baselines otherwise (they would
   * apply to no host). Returns it (for the audit trail). Other modules' references (windows,
   * freezes) are the caller's to check, after `requireGroup(name, 'update')`.
   */
  async deleteGroup(name: string): Promise<HostGroup> {
    const g = await this.requireGroup(name, 'update');
    const users = await this.db.selectFrom('policy_baselines').select('name').where('group_name', '=', name).orderBy('name').execute();
    if (users.length) throw new PatchwiseError('PW_CONFLICT', `group ${name} is named by baseline ${users.map((b) => b.name).join(', ')}; change or delete that first`);
    await this.db.deleteFrom('policy_groups').where('name', '=', name).execute();
    return g;
  }

  /** Records a request; it counts for nothing until someone else approves it. */
  async requestException(request: ExceptionRequest, by: { id: string; name: string | null }): Promise<FindingException> {
    const row = await this.db
      .insertInto('policy_exceptions')
      .values({
        id: randomUUID(),
        host_id: request.host ?? null,
        group_name: request.group ?? null,
        advisory: request.advisory ?? null,
        package: request.package ?? null,
        category: request.category,
        reason: request.reason,
        owner: request.owner,
        expires_at: request.expiresAt,
        state: 'requested',
        requested_by: by.id,
        requested_by_name: by.name,
        decided_by: null,
        decided_by_name: null,
        decided_at: null,
        revoked_by: null,
        revoked_by_name: null,
        revoked_at: null,
        comment: null,
        created_at: this.clock(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toException(row);
  }

  async exceptions(filter: { state?: ExceptionState } = {}): Promise<FindingException[]> {
    let q = this.db.selectFrom('policy_exceptions').selectAll().orderBy('created_at').orderBy('id');
    if (filter.state) q = q.where('state', '=', filter.state);
    return (await q.execute()).map(toException);
  }

  /** Locks and returns an exception, for a decision in the caller's transaction. */
  async lockException(id: string): Promise<FindingException> {
    const row = await this.db.selectFrom('policy_exceptions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no exception ${id}`);
    return toException(row);
  }

  /** Approves or rejects a request, or revokes an approved one (the approver is kept beside the revoker). */
  async decideException(id: string, state: 'approved' | 'rejected' | 'revoked', by: { id: string; name: string | null }, comment: string | null): Promise<FindingException> {
    const at = this.clock();
    const row = await this.db
      .updateTable('policy_exceptions')
      .set(state === 'revoked' ? { state, revoked_by: by.id, revoked_by_name: by.name, revoked_at: at, comment } : { state, decided_by: by.id, decided_by_name: by.name, decided_at: at, comment })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toException(row);
  }
  /**
   * Creates or replaces a baseline; returns the one it replaced, if any (for the audit trail).
   * Precedence is unique among baselines and there is one default at most: a clash is named.
   */
  async putBaseline(baseline: PatchBaseline): Promise<PatchBaseline | undefined> {
    const before = await this.baseline(baseline.name);
    const clash = await this.db
      .selectFrom('policy_baselines')
      .select(['name', 'precedence'])
      .where('name', '<>', baseline.name)
      .where((eb) => (baseline.group === undefined ? eb('group_name', 'is', null) : eb('precedence', '=', baseline.precedence ?? -1)))
      .executeTakeFirst();
    if (clash) {
      throw new PatchwiseError(
        'PW_CONFLICT',
        baseline.group === undefined ? `baseline ${clash.name} is the default already (it has no group); give this one a group, or change that one` : `baseline ${clash.name} has precedence ${clash.precedence} already; precedence decides which baseline a host follows, so it must be unique`,
      );
    }
    const now = this.clock();
    const columns = { group_name: baseline.group ?? null, precedence: baseline.precedence ?? null, document: JSON.stringify(baseline) };
    try {
      await this.db
        .insertInto('policy_baselines')
        .values({ name: baseline.name, ...columns, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ ...columns, updated_at: now }))
        .execute();
    } catch (err) {
      // Two writers racing past the check above meet the unique indexes instead.
      if ((err as { code?: unknown }).code === '23505') throw new PatchwiseError('PW_CONFLICT', `another baseline took precedence ${baseline.precedence ?? '(default)'} meanwhile; try again`, { cause: err });
      throw err;
    }
    return before;
  }

  async baseline(name: string): Promise<PatchBaseline | undefined> {
    const row = await this.db.selectFrom('policy_baselines').select('document').where('name', '=', name).executeTakeFirst();
    return row ? (row.document as PatchBaseline) : undefined;
  }

  async requireBaseline(name: string): Promise<PatchBaseline> {
    const b = await this.baseline(name);
    if (!b) throw new PatchwiseError('PW_NOT_FOUND', `no baseline named ${name}`);
    return b;
  }

  /** Every baseline, in the order a host's is chosen: by precedence, the default last. */
  async baselines(): Promise<PatchBaseline[]> {
    const rows = await this.db.selectFrom('policy_baselines').select('document').orderBy(sql`precedence nulls last`).orderBy('name').execute();
    return rows.map((r) => r.document as PatchBaseline);
  }

  /** Deletes a baseline; returns it (for the audit trail). */
  async deleteBaseline(name: string): Promise<PatchBaseline> {
    const b = await this.requireBaseline(name);
    await this.db.deleteFrom('policy_baselines').where('name', '=', name).execute();
    return b;
  }
}

function toException(r: Selectable<PolicyTables['policy_exceptions']>): FindingException {
  return {
    id: r.id,
    host: r.host_id ?? undefined,
    group: r.group_name ?? undefined,
    advisory: r.advisory ?? undefined,
    package: r.package ?? undefined,
    category: r.category as ExceptionCategory,
    reason: r.reason,
    owner: r.owner,
    expiresAt: r.expires_at,
    state: r.state as ExceptionState,
    requestedBy: { id: r.requested_by, name: r.requested_by_name },
    decidedBy: r.decided_by ? { id: r.decided_by, name: r.decided_by_name } : null,
    decidedAt: r.decided_at,
    revokedBy: r.revoked_by ? { id: r.revoked_by, name: r.revoked_by_name } : null,
    revokedAt: r.revoked_at,
    comment: r.comment,
    createdAt: r.created_at,
  };
}
