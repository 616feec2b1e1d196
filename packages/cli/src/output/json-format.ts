import type { FindingReport, HostReport } from '@patchwise/core';
import type { ReportFormat } from './report-format.js';

/**
 * `{"hosts":[{"host":…,"findings":[…]}]}`, written host by host so that output starts at once
 * and memory does not grow with the fleet. The reporter shares identical finding reports
 * between hosts, so each one's JSON text is made once and reused.
 */
export function jsonFormat(): ReportFormat {
  const texts = new WeakMap<FindingReport, string>();
  const findingJson = (f: FindingReport): string => {
    let text = texts.get(f);
    if (text === undefined) texts.set(f, (text = JSON.stringify(f)));
    return text;
  };
  let first = true;
  return {
    begin: () => '{"hosts":[',
    host(report: HostReport): string {
      const { findings, ...rest } = report;
      const head = JSON.stringify(rest).slice(0, -1);
      const text = `${first ? '\n' : ',\n'}${head},"findings":[${findings.map(findingJson).join(',')}]}`;
      first = false;
      return text;
    },
    end: () => '\n]}\n',
  };
}
