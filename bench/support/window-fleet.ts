/**
 * The maintenance setting both planning benches use: up to 20 time zones, three windows (second
 * Tuesday + 4 days, Saturday nights, Berlin weeknights), two freezes, and one schedule per host
 * group g0–g2 (hosts of one group share it, and so the calendar's memo).
 */
import { parseFreeze, parseMaintenanceWindow, scheduleForHost, type MaintenanceSchedule } from '@patchwise/core';

const ALL_ZONES = [
  'UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Sao_Paulo', 'Asia/Tokyo', 'Asia/Kolkata',
  'Asia/Singapore', 'Asia/Shanghai', 'Australia/Sydney', 'Australia/Lord_Howe', 'Pacific/Auckland', 'Africa/Johannesburg', 'Europe/Moscow', 'Asia/Dubai', 'America/St_Johns', 'Pacific/Honolulu',
];

export function windowFleet(zoneCount: number) {
  const windows = [
    parseMaintenanceWindow({ name: 'patch-tuesday', rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', offsetDays: 4, start: '22:00', durationMinutes: 240, cutoffMinutes: 30 }, 'bench'),
    parseMaintenanceWindow({ name: 'saturday-night', rrule: 'FREQ=WEEKLY;BYDAY=SA', start: '01:00', durationMinutes: 360, cutoffMinutes: 60, groups: ['g1'] }, 'bench'),
    parseMaintenanceWindow({ name: 'berlin-weeknights', rrule: 'FREQ=DAILY;BYDAY=MO,TU,WE,TH', start: '02:00', durationMinutes: 120, cutoffMinutes: 20, timeZone: 'Europe/Berlin', groups: ['g2'] }, 'bench'),
  ];
  const freezes = [
    parseFreeze({ name: 'year-end', start: '2026-12-24', end: '2027-01-01', reason: 'year-end' }, 'bench'),
    parseFreeze({ name: 'release', start: '2026-12-19T00:00:00Z', end: '2026-12-20T12:00:00Z', groups: ['g0'], reason: 'release' }, 'bench'),
  ];
  const schedules: MaintenanceSchedule[] = ['g0', 'g1', 'g2'].map((g) => scheduleForHost({ windows, freezes }, (name) => name === g));
  return { zones: ALL_ZONES.slice(0, zoneCount), windows, freezes, schedules };
}
