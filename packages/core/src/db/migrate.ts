import { createHash } from 'node:crypto';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import { controlPlane } from './migrations/0001-control-plane.js';
import { cmdb } from './migrations/0002-cmdb.js';
import { feedChanges } from './migrations/0003-feed-changes.js';
import { audit } from './migrations/0004-audit.js';
import { policy } from './migrations/0005-policy.js';
import { snapshotNames } from './migrations/0006-snapshot-names.js';
import { people } from './migrations/0007-people.js';
import { baselines } from './migrations/0008-baselines.js';
import { lighterUploads } from './migrations/0009-lighter-uploads.js';
import { approvals } from './migrations/0010-approvals.js';
import { patchSets } from './migrations/0011-patch-sets.js';
import { maintenance } from './migrations/0012-maintenance.js';
import { rollout } from './migrations/0013-rollout.js';
import { approverKeys } from './migrations/0015-approver-keys.js';
import { policySettings } from './migrations/0016-policy-settings.js';
import { rebootingJobs } from './migrations/0017-rebooting-jobs.js';
import { patchSetsFromBaselines } from './migrations/0019-patch-sets-from-baselines.js';
import { snapshotBases } from './migrations/0020-snapshot-bases.js';
import { snapshotUse } from './migrations/0021-snapshot-use.js';
import { retractedFindings } from './migrations/0022-retracted-findings.js';
import { rereadInventories } from './migrations/0023-reread-inventories.js';
import { retiredHosts } from './migrations/0024-retired-hosts.js';
import { idleKernels } from './migrations/0025-idle-kernels.js';
import { personAttributes } from './migrations/0026-person-attributes.js';
import { documentSource } from './migrations/0027-document-source.js';
import { serverKeys } from './migrations/0028-server-keys.js';
import { agentlessScanWarnings } from './migrations/0029-agentless-scan-warnings.js';
import { nvdRecords } from './migrations/0030-nvd-records.js';
import { feedRemovals } from './migrations/0031-feed-removals.js';
import { nvdWatermark } from './migrations/0032-nvd-watermark.js';
import { findingSets } from './migrations/0033-finding-sets.js';
import { findingsViewById } from './migrations/0034-findings-view-by-id.js';
import { agentless } from './migrations/0014-agentless.js';

/**
 * Numbered and append-only: a released migration is never edited, a change is a new entry.
 * Kept in code (not read from a folder) so the list is the same under tsx, tests and bundlers.
 */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-control-plane': controlPlane,
  '0002-cmdb': cmdb,
  '0003-feed-changes': feedChanges,
  '0004-audit': audit,
  '0005-policy': policy,
  '0006-snapshot-names': snapshotNames,
  '0007-people': people,
  '0008-baselines': baselines,
  '0009-lighter-uploads': lighterUploads,
  '0010-approvals': approvals,
  '0011-patch-sets': patchSets,
  '0012-maintenance': maintenance,
  '0013-rollout': rollout,
  '0015-approver-keys': approverKeys,
  '0016-policy-settings': policySettings,
  '0017-rebooting-jobs': rebootingJobs,
  '0019-patch-sets-from-baselines': patchSetsFromBaselines,
  '0020-snapshot-bases': snapshotBases,
  '0021-snapshot-use': snapshotUse,
  '0022-retracted-findings': retractedFindings,
  '0023-reread-inventories': rereadInventories,
  '0024-retired-hosts': retiredHosts,
  '0025-idle-kernels': idleKernels,
  '0026-person-attributes': personAttributes,
  '0027-document-source': documentSource,
  '0028-server-keys': serverKeys,
  '0029-agentless-scan-warnings': agentlessScanWarnings,
  '0030-nvd-records': nvdRecords,
  '0031-feed-removals': feedRemovals,
  '0032-nvd-watermark': nvdWatermark,
  '0033-finding-sets': findingSets,
  '0034-findings-view-by-id': findingsViewById,
  '0014-agentless': agentless,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

/** Brings the schema to the newest migration; Kysely's lock table keeps concurrent servers apart. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations work on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return migrate(db, (m) => m.migrateToLatest());
}

/** Brings the schema up to one named migration: how upgrade tests make a database of an older release. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations work on any schema
export async function migrateUpTo(db: Kysely<any>, name: string): Promise<string[]> {
  if (!Object.hasOwn(MIGRATIONS, name)) throw new PatchwiseError('PW_DATABASE', `no migration named ${name}`);
  return migrate(db, (m) => m.migrateTo(name));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations work on any schema
async function migrate(db: Kysely<any>, run: (m: Migrator) => ReturnType<Migrator['migrateToLatest']>): Promise<string[]> {
  // Kysely looks for its lock table in every schema unless told which; with several Patchwise
  // schemas in one database (tests, or tenants) it could find another's and never make its own.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  // 0009 was written beside 0010 and depends on nothing after 0008: a database already at 0010
  // takes it later instead of refusing to start.
  const migrator = new Migrator({ db, provider, migrationTableSchema: rows[0]?.schema ?? 'public', allowUnorderedMigrations: true });
  const { error, results } = await run(migrator);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new PatchwiseError('PW_DATABASE', `migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * A digest of every migration's name and code: it changes when one is added, and also when one
 * not yet released is edited, so a cache of migrated databases keyed by it never serves a stale
 * schema (a key of names alone did, to the tests, while migration 0020 was being written).
 */
export function migrationsFingerprint(): string {
  const text = Object.entries(MIGRATIONS)
    // Read as source text only, never called: the unbound-method rule does not apply.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    .map(([name, { up, down }]) => `${name}\n${up.toString()}\n${down?.toString() ?? ''}`)
    .join('\n');
  return createHash('sha256').update(text).digest('hex');
}
