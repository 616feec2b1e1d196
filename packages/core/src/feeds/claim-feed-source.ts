import type { Kysely } from 'kysely';
import type { FeedsTables } from './tables.js';

/**
 * Claims a configured source for one sync attempt by moving its `last_attempt_at` from the value
 * the caller read to `now` (compare-and-set). When several server processes share one
 * PostgreSQL, only the one whose update lands downloads the feed; the others see false.
 */
export async function claimFeedSource(db: Kysely<FeedsTables>, name: string, seenAttemptAt: Date | null, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('feeds_sources')
    .set({ last_attempt_at: now })
    .where('name', '=', name)
    .where((eb) => (seenAttemptAt === null ? eb('last_attempt_at', 'is', null) : eb('last_attempt_at', '=', seenAttemptAt)))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
