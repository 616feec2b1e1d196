export { HostReporter, compareFindings } from './host-report.js';
export type { CveIntel, CveLookup, FindingReport, HostReport, ReportedHost } from './host-report.js';
export { assessInventories, scanInventories } from './scan-inventories.js';
export type { AssessOptions, ScanEvent, ScanOptions } from './scan-inventories.js';
export { cveLookupOf } from './cve-lookup.js';
