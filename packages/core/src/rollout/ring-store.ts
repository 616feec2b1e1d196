import type { Kysely } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import type { RolloutTables } from './tables.js';

/** One ring: an environment, in promotion order, and how long a patch set soaks in it before promotion. */
export interface Ring {
  readonly environment: string;
  readonly soakMinutes: number;
}

/** The rings patch sets are promoted through (test → staging → production), in order. */
export class RingStore {
  constructor(private readonly db: Kysely<RolloutTables>) {}

  async list(): Promise<Ring[]> {
    const rows = await this.db.selectFrom('rollout_rings').selectAll().orderBy('position').execute();
    return rows.map((r) => ({ environment: r.environment, soakMinutes: r.soak_minutes }));
  }

  /** Replaces the whole ring order. */
  async replace(rings: readonly Ring[]): Promise<void> {
    const seen = new Set<string>();
    for (const r of rings) {
      if (seen.has(r.environment)) throw new PatchwiseError('PW_INPUT_INVALID', `rings: environment ${r.environment} appears twice`);
      seen.add(r.environment);
      if (!Number.isInteger(r.soakMinutes) || r.soakMinutes < 0) throw new PatchwiseError('PW_INPUT_INVALID', `rings: ${r.environment}: soakMinutes must be a whole number ≥ 0`);
    }
    await this.db.deleteFrom('rollout_rings').execute();
    if (rings.length > 0) await this.db.insertInto('rollout_rings').values(rings.map((r, i) => ({ position: i, environment: r.environment, soak_minutes: r.soakMinutes }))).execute();
  }
}
