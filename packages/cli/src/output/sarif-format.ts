import type { FindingReport, HostReport } from '@patchwise/core/assessment';
import type { Chunk, ReportFormat } from './report-format.js';

const LEVEL: Readonly<Record<FindingReport['priority'], string>> = { P1: 'error', P2: 'error', P3: 'warning', P4: 'note' };

/**
 * SARIF 2.1.0 for code-scanning dashboards: one result per finding, the advisory as the rule,
 * the inventory file as the location. Results stream first; the rule list, only known at the
 * end, follows them (JSON member order carries no meaning).
 */
export function sarifFormat(version: string): ReportFormat {
  const rules = new Map<string, FindingReport>();
  return {
    separator: ',\n',
    begin: () =>
      '{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"results":[\n',
    host(report: HostReport): Chunk[] {
      let out = '';
      for (const f of report.findings) {
        if (!rules.has(f.advisory)) rules.set(f.advisory, f);
        const result = {
          ruleId: f.advisory,
          level: LEVEL[f.priority],
          message: {
            text: `${report.host}: ${f.package} ${f.installed} is affected by ${f.advisory}${f.fixed ? `; fixed in ${f.fixed}` : ''} (${f.priority}: ${f.reasons.join('; ')})`,
          },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: report.source } },
              logicalLocations: [{ name: f.package, fullyQualifiedName: `${report.host}/${f.package}`, kind: 'module' }],
            },
          ],
          properties: { host: report.host, priority: f.priority, installed: f.installed, fixed: f.fixed, kev: f.kev, epss: f.epss, cvss: f.cvss },
        };
        out += (out === '' ? '' : ',\n') + JSON.stringify(result);
      }
      return out === '' ? [] : [out];
    },
    end(): string {
      const ruleList = [...rules.values()].map((f) => ({
        id: f.advisory,
        shortDescription: { text: f.summary || f.advisory },
        properties: {
          type: f.type,
          aliases: f.aliases,
          ...(f.cvss === null ? {} : { 'security-severity': f.cvss.toFixed(1) }),
        },
      }));
      const tool = { driver: { name: 'patchwise', version, rules: ruleList } };
      return `\n],"tool":${JSON.stringify(tool)}}]}\n`;
    },

  };
}
