/**
 * Maintenance: when a host may start a change. Windows (an RRULE of local dates plus an offset
 * of days, a local start time, a duration and a cutoff, in the window's time zone or the host's)
 * and freezes (instants, or whole local days, when nothing starts); the pure decision per host
 * and moment (`startDecision`, `nextStart`), memoised for whole fleets (`WindowCalendar`); the
 * store; tables `maintenance_*` (docs/maintenance-windows.md).
 */
export { MAX_OFFSET_DAYS, MAX_WINDOW_MINUTES, canonicalTimeZone, parseMaintenanceWindow, windowTimeZone } from './maintenance-window.js';
export type { MaintenanceWindow } from './maintenance-window.js';
export { freezeSpan, isDateOnly, parseFreeze } from './freeze.js';
export type { Freeze, TimeSpan } from './freeze.js';
export { openingsBetween, zoneNamed } from './openings.js';
export type { Opening } from './openings.js';
export { NEXT_START_HORIZON_DAYS, START_REFUSALS, WindowCalendar } from './window-calendar.js';
export type { MaintenanceSchedule, StartDecision, StartRefusal } from './window-calendar.js';
export { appliesToHost, describeStartDecision, nextStart, scheduleForHost, startDecision } from './start-decision.js';
export { MaintenanceStore } from './maintenance-store.js';
export type { GroupUsers } from './maintenance-store.js';
export type { MaintenanceTables } from './tables.js';
export { parseInstant, zonedIso } from './zoned-time.js';
