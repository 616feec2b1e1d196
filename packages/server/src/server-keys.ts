import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PatchwiseError } from '@patchwise/core';
import type { Kysely } from 'kysely';
import { AUDIT_KEY_FILE } from './audit-key.js';
import { tablesOf, type Database, type ServerKeysTables } from './database.js';
import { JOB_SIGNING_KEY_FILE } from './job-signing-key.js';

/** The keys a server signs with, by the file each lives in under the data directory. */
const KEY_FILES = { 'job-signing': JOB_SIGNING_KEY_FILE, 'audit-signing': AUDIT_KEY_FILE } as const;
export type ServerKeyKind = keyof typeof KEY_FILES;

/** What goes wrong when a server signs with other keys than the database knows. */
const CONSEQUENCE: Readonly<Record<ServerKeyKind, string>> = {
  'job-signing': 'agents pinned the recorded key at enrollment and refuse manifests signed by another',
  'audit-signing': 'checkpoints signed by another key cannot be verified against the recorded one',
};

/**
 * Before the key files are made: a database that recorded a key whose file this data directory
 * lacks belongs to keys kept elsewhere (another server process on the same PostgreSQL, a backup).
 * Making new ones would split the fleet, so the start is refused, saying which file to copy.
 */
export async function refuseMissingKeyFiles(db: Kysely<Database>, dataDir: string): Promise<void> {
  for (const { kind, public_key } of await recorded(db)) {
    const file = KEY_FILES[kind as ServerKeyKind] as string | undefined;
    if (file === undefined || existsSync(join(dataDir, file))) continue;
    throw new PatchwiseError(
      'PW_CONFIG_INVALID',
      `this database was first served with a ${kind} key (public key ${public_key}) that is not in ${join(dataDir, file)}: copy that file from the server that made it (or restore it from a backup); ${CONSEQUENCE[kind as ServerKeyKind]}`,
      { input: `--data ${dataDir}` },
    );
  }
}

/**
 * Records the public keys on first start and, on every later start, checks the data directory
 * holds the same ones (PW_CONFIG_INVALID naming the file otherwise). Several processes starting
 * together agree: the first insert wins and the others compare against it.
 */
export async function agreeOnKeys(db: Kysely<Database>, dataDir: string, keys: Readonly<Record<ServerKeyKind, string>>, now: Date): Promise<void> {
  const t = tablesOf<ServerKeysTables>(db);
  const rows = Object.entries(keys).map(([kind, publicKey]) => ({ kind, public_key: publicKey, recorded_at: now }));
  await t.insertInto('server_keys').values(rows).onConflict((oc) => oc.column('kind').doNothing()).execute();
  for (const { kind, public_key } of await recorded(db)) {
    const mine = keys[kind as ServerKeyKind] as string | undefined;
    if (mine === undefined || mine === public_key) continue;
    throw new PatchwiseError(
      'PW_CONFIG_INVALID',
      `holds another ${kind} key (public key ${mine}) than this database was first served with (${public_key}): copy ${KEY_FILES[kind as ServerKeyKind]} from the server that made it; ${CONSEQUENCE[kind as ServerKeyKind]}`,
      { input: join(dataDir, KEY_FILES[kind as ServerKeyKind]) },
    );
  }
}

function recorded(db: Kysely<Database>) {
  return tablesOf<ServerKeysTables>(db).selectFrom('server_keys').select(['kind', 'public_key']).execute();
}
