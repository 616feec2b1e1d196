export { BufferedWriter } from './buffered-writer.js';
export { csvField, csvFormat } from './csv-format.js';
export { jsonFormat } from './json-format.js';
export { sarifFormat } from './sarif-format.js';
export { tableFormat } from './table-format.js';
export { Progress } from './progress.js';
export { FORMAT_NAMES } from './report-format.js';
export type { Chunk, FormatName, ReportFormat, ScanSummary } from './report-format.js';
export { textTable } from './text-table.js';
