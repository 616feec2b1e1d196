import type { Kysely } from 'kysely';
import type { FeedsTables } from './tables.js';

/** How many entries the held enrichment document of a kind has (KEV entries, EPSS scores); null when none is held. */
export async function documentRecordCount(db: Kysely<FeedsTables>, kind: string): Promise<number | null> {
  const row = await db.selectFrom('feeds_documents').select('record_count').where('kind', '=', kind).executeTakeFirst();
  return row?.record_count ?? null;
}
