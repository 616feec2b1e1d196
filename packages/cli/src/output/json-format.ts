import type { FindingReport, HostReport } from '@patchwise/core/assessment';
import type { Chunk, ReportFormat } from './report-format.js';

/**
 * `{"hosts":[{"host":…,"findings":[…]}]}`, written host by host so that output starts at once
 * and memory does not grow with the fleet. The reporter shares each package's findings array
 * between hosts, so its JSON is made and UTF-8-encoded once and reused as bytes, with the comma
 * that separates it from the group before (left out for a host's first group).
 */
export function jsonFormat(): ReportFormat {
  const encoded = new WeakMap<readonly FindingReport[], Buffer>();
  const groupJson = (group: readonly FindingReport[]): Buffer => {
    let bytes = encoded.get(group);
    if (bytes === undefined) encoded.set(group, (bytes = Buffer.from(`,${JSON.stringify(group).slice(1, -1)}`)));
    return bytes;
  };
  return {
    separator: ',\n',
    begin: () => '{"hosts":[\n',
    host(report: HostReport, groups: readonly (readonly FindingReport[])[]): Chunk[] {
      // Not `...report`: its flat findings list is made on demand, and not needed here.
      const head = { host: report.host, source: report.source, ecosystem: report.ecosystem, packages: report.packages };
      const chunks: Chunk[] = [`${JSON.stringify(head).slice(0, -1)},"findings":[`];
      for (let i = 0; i < groups.length; i++) {
        const bytes = groupJson(groups[i] as readonly FindingReport[]);
        chunks.push(i === 0 ? bytes.subarray(1) : bytes);
      }
      chunks.push(CLOSE);
      return chunks;
    },
    end: () => '\n]}\n',
  };
}

const CLOSE = Buffer.from(']}');
