import { PolicyStore, type SlaPolicy } from '@patchwise/core';
import type { Kysely } from 'kysely';
import { tablesOf, type Database } from './database.js';

/**
 * The SLA matrix in force, read at request time so every server process sees a policy apply at
 * once: the stored one (last set by `policy apply`, or by the `--sla` file at start), else the
 * server's default.
 */
export async function slaInForce(db: Kysely<Database>, fallback: SlaPolicy, clock: () => Date): Promise<SlaPolicy> {
  return (await new PolicyStore(tablesOf(db), clock).sla()) ?? fallback;
}
