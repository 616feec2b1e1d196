import type { HostReport } from '@patchwise/core/assessment';
import type { Chunk, ReportFormat } from './report-format.js';

const COLUMNS = ['host', 'advisory', 'aliases', 'type', 'package', 'installed', 'fixed', 'severity', 'cvss', 'kev', 'epss', 'priority', 'reasons'];

/** RFC 4180: quote fields holding a comma, quote or line break; double the quotes inside. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One row per finding; list fields joined with `; `. */
export function csvFormat(): ReportFormat {
  return {
    separator: '',
    begin: () => `${COLUMNS.join(',')}\r\n`,
    host(report: HostReport): Chunk[] {
      let out = '';
      for (const f of report.findings) {
        const row = [
          report.host,
          f.advisory,
          f.aliases.join('; '),
          f.type,
          f.package,
          f.installed,
          f.fixed ?? '',
          f.severity ?? '',
          f.cvss === null ? '' : String(f.cvss),
          f.kev ? 'true' : 'false',
          f.epss === null ? '' : String(f.epss),
          f.priority,
          f.reasons.join('; '),
        ];
        out += `${row.map(csvField).join(',')}\r\n`;
      }
      return out === '' ? [] : [out];
    },
    end: () => '',
  };
}
