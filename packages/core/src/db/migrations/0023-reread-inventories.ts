import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Asks every agent for its inventory again. Stop 14 changed how inventories are read into what
 * is stored (ecosystem names in OSV's spelling, Rocky Linux binaries indexed under their source
 * rpm), and a stored snapshot keeps the form and the package-name index of the code that wrote
 * it: a feed update naming a Rocky source rpm would not find hosts indexed before. Forgetting the
 * stored digest makes each agent's next check-in answer `sendInventory: true`, and the upload is
 * read, indexed and assessed by this code. Nothing is emptied meanwhile: hosts keep their
 * snapshot and findings until their upload replaces them.
 */
export const rereadInventories: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`update hosts_hosts set inventory_digest = null where inventory_digest is not null`.execute(db);
  },
};
