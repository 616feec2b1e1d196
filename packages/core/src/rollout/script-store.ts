import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import type { ApprovedScript } from './job-manifest.js';
import type { RolloutTables } from './tables.js';

/** A script of the library: usable in deployments once a person other than its author approved it. */
export interface LibraryScript {
  readonly name: string;
  readonly body: string;
  readonly sha256: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly approvedBy: string | null;
  readonly approvedAt: Date | null;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The approved script library: the only commands deployments run besides the package manager.
 * Changing a script's body withdraws its approval; deployments carry the approved body (and its
 * SHA-256) frozen at creation, so a later edit never changes what a running deployment does.
 */
export class ScriptStore {
  constructor(private readonly db: Kysely<RolloutTables>) {}

  async list(): Promise<LibraryScript[]> {
    const rows = await this.db.selectFrom('rollout_scripts').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, body: r.body, sha256: r.sha256, createdAt: r.created_at, createdBy: r.created_by, approvedBy: r.approved_by, approvedAt: r.approved_at }));
  }

  async get(name: string): Promise<LibraryScript | undefined> {
    return (await this.list()).find((s) => s.name === name);
  }

  /** Adds or replaces a script; a new body needs a new approval. */
  async put(name: string, body: string, by: string, now: Date): Promise<LibraryScript> {
    if (!NAME.test(name)) throw new PatchwiseError('PW_INPUT_INVALID', `script name ${JSON.stringify(name)}: lower-case letters, digits, '.', '_' and '-', at most 64`);
    if (body.length === 0 || body.length > 64 * 1024) throw new PatchwiseError('PW_INPUT_INVALID', `script ${name}: the body must be 1 byte to 64 KiB`);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const values = { body, sha256, created_at: now, created_by: by, approved_by: null, approved_at: null };
    await this.db.insertInto('rollout_scripts').values({ name, ...values }).onConflict((oc) => oc.column('name').doUpdateSet(values)).execute();
    return { name, body, sha256, createdAt: now, createdBy: by, approvedBy: null, approvedAt: null };
  }

  /** Two-person rule: the author cannot approve their own script. */
  async approve(name: string, sha256: string, by: string, now: Date): Promise<LibraryScript> {
    const script = await this.get(name);
    if (!script) throw new PatchwiseError('PW_NOT_FOUND', `no script ${name}`);
    if (script.sha256 !== sha256) throw new PatchwiseError('PW_CONFLICT', `script ${name} changed: its body is now ${script.sha256}, not ${sha256}; read it again before approving`);
    if (script.createdBy === by) throw new PatchwiseError('PW_FORBIDDEN', `script ${name}: its author cannot approve it; another person must`);
    await this.db.updateTable('rollout_scripts').set({ approved_by: by, approved_at: now }).where('name', '=', name).where('sha256', '=', sha256).execute();
    return { ...script, approvedBy: by, approvedAt: now };
  }

  async delete(name: string): Promise<void> {
    const r = await this.db.deleteFrom('rollout_scripts').where('name', '=', name).executeTakeFirst();
    if (r.numDeletedRows === 0n) throw new PatchwiseError('PW_NOT_FOUND', `no script ${name}`);
  }

  /** The approved scripts of these names, in order, as manifests carry them; refuses a missing or unapproved one. */
  async approved(names: readonly string[]): Promise<ApprovedScript[]> {
    const all = new Map((await this.list()).map((s) => [s.name, s]));
    return names.map((name) => {
      const s = all.get(name);
      if (!s) throw new PatchwiseError('PW_INPUT_INVALID', `script ${name} is not in the library`);
      if (s.approvedBy === null) throw new PatchwiseError('PW_INPUT_INVALID', `script ${name} is not approved yet`);
      return { name: s.name, sha256: s.sha256, body: s.body };
    });
  }
}
