import { assertNever } from '../errors/index.js';
import type { Freeze } from './freeze.js';
import type { MaintenanceWindow } from './maintenance-window.js';
import { NEXT_START_HORIZON_DAYS, WindowCalendar, type MaintenanceSchedule, type StartDecision } from './window-calendar.js';

/**
 * Whether a host in `hostTimeZone` (its attribute; null when unset) may start a job at `at`
 * under the windows and freezes that apply to it. One-off: a plan over many hosts should ask
 * one `WindowCalendar`, which computes each window's openings once per zone.
 */
export function startDecision(schedule: MaintenanceSchedule, hostTimeZone: string | null | undefined, at: Date): StartDecision {
  return new WindowCalendar().startDecision(schedule, hostTimeZone, at);
}

/**
 * The earliest instant at or after `after` at which the host may start (inside an opening,
 * before its cutoff, not frozen), or null when there is none within `horizonDays`.
 */
export function nextStart(schedule: MaintenanceSchedule, hostTimeZone: string | null | undefined, after: Date, horizonDays = NEXT_START_HORIZON_DAYS): Date | null {
  return new WindowCalendar().nextStart(schedule, hostTimeZone, after, horizonDays);
}

/** Whether a window or freeze applies to a host, given which groups the host is in. */
export function appliesToHost(entry: { readonly groups: readonly string[] }, memberOf: (group: string) => boolean): boolean {
  return entry.groups.length === 0 || entry.groups.some(memberOf);
}

/**
 * The part of every window and freeze that applies to one host. Hosts with the same groups can
 * share the result (and so the calendar's memo).
 */
export function scheduleForHost(all: { readonly windows: readonly MaintenanceWindow[]; readonly freezes: readonly Freeze[] }, memberOf: (group: string) => boolean): MaintenanceSchedule {
  return { windows: all.windows.filter((w) => appliesToHost(w, memberOf)), freezes: all.freezes.filter((f) => appliesToHost(f, memberOf)) };
}

/** The decision in words, for people (logs, the CLI, job reasons). */
export function describeStartDecision(d: StartDecision): string {
  if (d.canStart) return `may start in window ${d.window.name} until ${d.closesAt.toISOString()}`;
  const next = d.nextStart ? `; next start ${d.nextStart.toISOString()}` : '';
  switch (d.reason) {
    case 'no-window':
      return 'no maintenance window applies to this host';
    case 'outside-window':
      return `outside every maintenance window${next || '; no opening within the horizon'}`;
    case 'past-cutoff':
      return `the open window is past its cutoff${next || '; no later opening within the horizon'}`;
    case 'frozen':
      return `frozen by ${d.freeze?.name ?? 'a freeze'}${d.freeze ? ` (${d.freeze.reason})` : ''}${next || '; no start within the horizon'}`;
    default:
      return assertNever(d.reason, 'start refusal');
  }
}
