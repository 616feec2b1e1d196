import type { FindingReport, HostReport } from '@patchwise/core';
import type { ReportFormat } from './report-format.js';

/**
 * `{"hosts":[{"host":…,"findings":[…]}]}`, written host by host so that output starts at once
 * and memory does not grow with the fleet. The reporter shares each package's findings array
 * between hosts, so its JSON text is made once and reused.
 */
export function jsonFormat(): ReportFormat {
  const texts = new WeakMap<readonly FindingReport[], string>();
  const groupJson = (group: readonly FindingReport[]): string => {
    let text = texts.get(group);
    if (text === undefined) texts.set(group, (text = JSON.stringify(group).slice(1, -1)));
    return text;
  };
  return {
    separator: ',\n',
    begin: () => '{"hosts":[\n',
    host(report: HostReport, groups: readonly (readonly FindingReport[])[]): string {
      const { findings: _findings, ...rest } = report;
      return `${JSON.stringify(rest).slice(0, -1)},"findings":[${groups.map(groupJson).join(',')}]}`;
    },
    end: () => '\n]}\n',
  };
}
