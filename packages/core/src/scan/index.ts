export { HostReporter, compareFindings } from './host-report.js';
export type { CveIntel, CveLookup, FindingReport, HostReport, ReportedHost } from './host-report.js';
export { scanInventories } from './scan-inventories.js';
export type { ScanEvent, ScanOptions } from './scan-inventories.js';
export { cveLookupOf } from './cve-lookup.js';
