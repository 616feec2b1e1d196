/**
 * Enrichment: per-CVE facts from public feeds (CISA KEV, FIRST EPSS, NVD), parsed from text the
 * caller read, and merged for O(1) lookups. Pure: no file or network access here.
 * Formats and attribution: docs/enrichment.md.
 */
export { parseKev } from './kev.js';
export type { KevCatalog, KevEntry } from './kev.js';
export { parseEpss, readEpssHeader } from './epss.js';
export type { EpssScore, EpssScores } from './epss.js';
export { nvdModifiedAt, parseNvd } from './nvd.js';
export type { NvdCvssMetric, NvdRecord } from './nvd.js';
export { Enrichment, changedCves } from './enrichment.js';
export type { EnrichmentCounts, EnrichmentRecord, EpssLookup } from './enrichment.js';
export { normalizeCveId } from './cve-id.js';
