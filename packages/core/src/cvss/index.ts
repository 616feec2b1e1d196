/**
 * CVSS: base scores and severities from vector strings (v2.0, v3.0, v3.1, v4.0).
 * Scoring is delegated to ae-cvss-calculator behind a strict parser; see docs/adr/0002-cvss.md.
 */
export { cvssFromVector, cvssSeverity, worstCvss } from './cvss-score.js';
export type { CvssScore, CvssSeverity } from './cvss-score.js';
export { parseCvssVector } from './cvss-vector.js';
export type { ParsedCvssVector } from './cvss-vector.js';
export type { CvssVersion } from './cvss-metrics.js';
