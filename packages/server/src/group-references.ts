/**
 * Host groups are the policy module's; baselines, windows and freezes name them. These keep the
 * references whole across modules: a group someone names cannot go, and a group must exist to
 * be named, with row locks so that a reference and a deletion racing each other queue up.
 */
import { MaintenanceStore, PatchwiseError, PolicyStore, type HostGroup } from '@patchwise/core';
import type { Kysely } from 'kysely';
import { tablesOf, type Database } from './database.js';

/**
 * Checks that the groups a window or freeze (`what`) names exist, PW_CONFLICT naming the first
 * missing one, and locks each for share so that a deletion of it waits for this transaction.
 */
export async function requireGroups(trx: Kysely<Database>, clock: () => Date, what: string, groups: readonly string[]): Promise<void> {
  const policy = new PolicyStore(tablesOf(trx), clock);
  for (const g of groups) {
    try {
      await policy.requireGroup(g, 'share');
    } catch (err) {
      if ((err as { code?: unknown }).code === 'PW_NOT_FOUND') throw new PatchwiseError('PW_CONFLICT', `${what} names group ${g}, which does not exist; create it first (patchwise groups set)`);
      throw err;
    }
  }
}

/**
 * Deletes a host group inside the caller's transaction, refused (PW_CONFLICT, naming them) while
 * a baseline, window or freeze names it: they would silently apply to no host. The group's row is
 * locked first, so a window or freeze naming it meanwhile (which locks it for share) waits, and
 * then finds it gone.
 */
export async function deleteGroup(trx: Kysely<Database>, clock: () => Date, name: string): Promise<HostGroup> {
  const policy = new PolicyStore(tablesOf(trx), clock);
  await policy.requireGroup(name, 'update');
  const users = await new MaintenanceStore(tablesOf(trx), clock).groupUsers(name);
  const named = [...users.windows.map((w) => `window ${w}`), ...users.freezes.map((f) => `freeze ${f}`)];
  if (named.length) throw new PatchwiseError('PW_CONFLICT', `group ${name} is named by ${named.join(', ')}; change or delete ${named.length === 1 ? 'that' : 'those'} first`);
  return policy.deleteGroup(name);
}
