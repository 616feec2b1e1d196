import type { Kysely, Selectable } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import type { Priority } from '../risk/index.js';
import type { PatchFix, PatchSet, PatchTarget } from './patch-set.js';
import type { PatchSetsTables } from './tables.js';

type Row = Selectable<PatchSetsTables['patchsets_sets']>;

function toPatchSet(r: Row): PatchSet {
  return {
    number: r.number,
    name: r.name,
    description: r.description,
    source: r.source as PatchSet['source'],
    targets: r.targets,
    fixes: r.fixes.map((f) => ({ ...f, priority: f.priority as Priority })),
    createdAt: r.created_at,
    createdBy: { id: r.created_by, name: r.created_by_name },
  };
}

/** Patch sets: inserted once, numbered by the database, read many times, never changed. */
export class PatchSetStore {
  constructor(
    private readonly db: Kysely<PatchSetsTables>,
    private readonly clock: () => Date,
  ) {}

  async create(input: { name: string; description: string; source: PatchSet['source']; targets: readonly PatchTarget[]; fixes: readonly PatchFix[] }, by: PatchSet['createdBy']): Promise<PatchSet> {
    if (!input.targets.length) throw new PatchwiseError('PW_INPUT_INVALID', `patch set ${input.name}: no targets (nothing with a known fix matched)`);
    const row = await this.db
      .insertInto('patchsets_sets')
      .values({
        name: input.name,
        description: input.description,
        source: input.source,
        targets: JSON.stringify(input.targets),
        fixes: JSON.stringify(input.fixes),
        created_at: this.clock(),
        created_by: by.id,
        created_by_name: by.name,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPatchSet(row);
  }

  async list(): Promise<PatchSet[]> {
    return (await this.db.selectFrom('patchsets_sets').selectAll().orderBy('number', 'desc').execute()).map(toPatchSet);
  }

  async require(number: number): Promise<PatchSet> {
    const row = await this.db.selectFrom('patchsets_sets').selectAll().where('number', '=', number).executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no patch set ${number}`);
    return toPatchSet(row);
  }
}
