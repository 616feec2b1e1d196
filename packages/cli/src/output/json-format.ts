import type { HostReport } from '@patchwise/core';
import type { ReportFormat } from './report-format.js';

/**
 * `{"hosts":[{"host":…,"findings":[…]}]}`, written host by host so that output starts at once
 * and memory does not grow with the fleet.
 */
export function jsonFormat(): ReportFormat {
  let first = true;
  return {
    begin: () => '{"hosts":[',
    host(report: HostReport): string {
      const text = (first ? '\n' : ',\n') + JSON.stringify(report);
      first = false;
      return text;
    },
    end: () => '\n]}\n',
  };
}
