export { ADVISORY_TYPES } from './types.js';
export type { AdvisoryType, Advisory, AffectedPackage, AffectedRange, RangeEvent, Severity, VendorSeverity } from './types.js';
export { advisoryTypeOf, severityFromSummary, severityFromWord } from './classify.js';
export { parseOsvRecord } from './osv-record.js';
export type { ParseOsvOptions, ParsedRecord } from './osv-record.js';
export { loadAdvisories } from './load-advisories.js';
export type { AdvisoryLoadResult } from './load-advisories.js';
