import { compareFindings, countNoun, type FindingReport, type HostReport } from '@patchwise/core/assessment';
import type { Chunk, ReportFormat, ScanSummary } from './report-format.js';

const HEADERS = ['PRIO', 'ADVISORY', 'TYPE', 'PACKAGE', 'INSTALLED', 'FIXED', 'SEVERITY', 'CVSS', 'KEV', 'EPSS'];
const MAX_CELL = 40;

function cells(f: FindingReport): string[] {
  return [
    f.priority,
    f.advisory,
    f.type,
    f.package,
    f.installed,
    f.fixed ?? '-',
    f.severity ?? '-',
    f.cvss === null ? '-' : f.cvss.toFixed(1),
    f.kev ? 'yes' : '-',
    f.epss === null ? '-' : f.epss.toFixed(2),
  ].map((c) => (c.length > MAX_CELL ? `${c.slice(0, MAX_CELL - 1)}…` : c));
}

function countLine(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([p, n]) => `${p} ${n}`)
    .join(', ');
}

/** For people at a terminal: a block per host, findings most urgent first, reasons beneath. */
export function tableFormat(): ReportFormat {
  return {
    separator: '',
    begin: () => '',
    host(report: HostReport): Chunk[] {
      const counts = { P1: 0, P2: 0, P3: 0, P4: 0 };
      for (const f of report.findings) counts[f.priority]++;
      const about = [report.ecosystem, countNoun(report.packages, 'package')].filter(Boolean).join(', ');
      const n = report.findings.length;
      let out = `${report.host} (${about}): ${n === 0 ? 'no findings' : `${countNoun(n, 'finding')}: ${countLine(counts)}`}\n`;
      if (n === 0) return [`${out}\n`];
      const ranked = [...report.findings].sort(compareFindings);
      const rows = ranked.map(cells);
      const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
      const line = (r: string[]): string => `  ${r.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd()}\n`;
      out += line(HEADERS);
      ranked.forEach((f, i) => {
        out += line(rows[i] as string[]);
        out += `        ${f.reasons.join('; ')}\n`;
      });
      return [`${out}\n`];
    },
    end(summary: ScanSummary): string {
      const counts = countLine(summary.byPriority);
      return (
        `Scanned ${countNoun(summary.hosts, 'host')}: ${countNoun(summary.findings, 'finding')}` +
        `${counts ? ` (${counts})` : ''}` +
        `${summary.skipped > 0 ? `; ${countNoun(summary.skipped, 'input')} skipped (see stderr)` : ''}\n`
      );
    },
  };
}
