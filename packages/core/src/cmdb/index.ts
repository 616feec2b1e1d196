/**
 * CMDB reconciliation: read the assets a CMDB export records (CSV or JSON) and pair them with the
 * hosts Patchwise sees, reporting matches with their disagreements, assets never or no longer
 * seen, hosts the CMDB does not know, records of a host another record already pairs with, and
 * ambiguous claims. Pure; docs/cmdb.md has the rules.
 */
export type {
  CmdbAsset,
  CmdbHost,
  MatchKey,
  Mismatch,
  ReconcileAmbiguity,
  ReconcileDuplicate,
  ReconcileMatch,
  ReconcileMissing,
  ReconcileOptions,
  ReconcileResult,
} from './types.js';
export { decodeCmdbText } from './decode-cmdb-text.js';
export { CMDB_FIELDS, parseCmdbAssets } from './parse-cmdb-assets.js';
export type { CmdbParseResult, NotExpectedRow } from './parse-cmdb-assets.js';
export { importWarnings } from './import-warnings.js';
export { reconcile } from './reconcile.js';
export { parseOsName, sameOs } from './os-string.js';
export type { OsName } from './os-string.js';
export { CmdbStore } from './cmdb-store.js';
export type { CmdbTables } from './tables.js';
