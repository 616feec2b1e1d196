import type { Command, Option } from 'commander';
import type { ApiClient } from './api-client.js';
import type { FreezePutOptions } from './commands/freezes.js';
import type { WindowOpeningsOptions, WindowPutOptions } from './commands/windows.js';

/** What the command tree lends these commands (main.ts's composition). */
export interface CommandKit {
  readonly api: (opts: { data?: string }) => Promise<ApiClient>;
  readonly io: { stdout: NodeJS.WritableStream };
  readonly dataOption: () => Option;
  readonly collect: (value: string, previous: string[]) => string[];
}

/**
 * `patchwise windows …` and `patchwise freezes …` (docs/maintenance-windows.md). Kept apart from
 * main.ts, which is long enough; like there, each command's module is imported when it runs.
 */
export function addMaintenanceCommands(program: Command, { api, io, dataOption, collect }: CommandKit): void {
  const windows = program.command('windows').description('Maintenance windows: when a host may start a change (docs/maintenance-windows.md)');
  windows
    .command('put')
    .description('Create or replace a window: a recurrence of local dates, a start time, a duration and a cutoff')
    .argument('<name>', 'lower-case name, e.g. patch-tuesday')
    .requiredOption('--rrule <rule>', 'RFC 5545 rule over dates, e.g. FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2 (the second Tuesday)')
    .requiredOption('--start <HH:MM>', 'local time it opens')
    .requiredOption('--duration <d>', 'how long it stays open, e.g. 4h, 90m, 1h30m')
    .option('--cutoff <d>', 'no host starts in the last part of an opening, e.g. 30m', '0m')
    .option('--offset-days <n>', 'days added to each date of the rule, e.g. 4 for "second Tuesday + 4 days" (may be negative)')
    .option('--start-date <YYYY-MM-DD>', 'the local date the rule counts from (needed by COUNT, INTERVAL, or a rule without its day)')
    .option('--time-zone <zone>', "IANA zone of the start time (default: each host's zone, else UTC)")
    .option('--group <name>', 'a host group it applies to (repeatable; none: every host)', collect, [])
    .option('--description <text>')
    .addOption(dataOption())
    .action(async (name: string, opts: WindowPutOptions & { data?: string }) => {
      const { windowsPut } = await import('./commands/windows.js');
      process.exitCode = await windowsPut(await api(opts), name, opts, io);
    });
  windows
    .command('list')
    .description('Every maintenance window')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { windowsList } = await import('./commands/windows.js');
      process.exitCode = await windowsList(await api(opts), opts, io);
    });
  windows
    .command('show')
    .description('A window and its next openings')
    .argument('<name>')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (name: string, opts: { json?: boolean; data?: string }) => {
      const { windowsShow } = await import('./commands/windows.js');
      process.exitCode = await windowsShow(await api(opts), name, opts, io);
    });
  windows
    .command('delete')
    .description('Delete a window')
    .argument('<name>')
    .addOption(dataOption())
    .action(async (name: string, opts: { data?: string }) => {
      const { windowsDelete } = await import('./commands/windows.js');
      process.exitCode = await windowsDelete(await api(opts), name, io);
    });
  windows
    .command('openings')
    .description('Preview when a window opens, with local times')
    .argument('<name>')
    .option('--from <when>', 'an instant with its offset, or a date (its midnight in the zone); default now')
    .option('--to <when>', 'likewise; default six weeks after --from, at most 400 days')
    .option('--time-zone <zone>', "a host's zone, for a window that follows each host's (default UTC)")
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (name: string, opts: WindowOpeningsOptions & { data?: string }) => {
      const { windowsOpenings } = await import('./commands/windows.js');
      process.exitCode = await windowsOpenings(await api(opts), name, opts, io);
    });

  const freezes = program.command('freezes').description('Freezes (blackouts, holidays): when no host starts a change');
  freezes
    .command('put')
    .description('Create or replace a freeze: two instants with offsets, or two dates (both days included)')
    .argument('<name>', 'lower-case name, e.g. year-end')
    .requiredOption('--from <when>', 'first day (YYYY-MM-DD) or instant (2026-12-23T18:00:00+01:00)')
    .requiredOption('--to <when>', 'last day (included) or instant')
    .option('--time-zone <zone>', "for days: the zone they are in (default: each host's zone, else UTC)")
    .option('--group <name>', 'a host group it applies to (repeatable; none: every host)', collect, [])
    .requiredOption('--reason <text>', 'why changes stop')
    .addOption(dataOption())
    .action(async (name: string, opts: FreezePutOptions & { data?: string }) => {
      const { freezesPut } = await import('./commands/freezes.js');
      process.exitCode = await freezesPut(await api(opts), name, opts, io);
    });
  freezes
    .command('list')
    .description('Every freeze')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { freezesList } = await import('./commands/freezes.js');
      process.exitCode = await freezesList(await api(opts), opts, io);
    });
  freezes
    .command('delete')
    .description('Delete a freeze')
    .argument('<name>')
    .addOption(dataOption())
    .action(async (name: string, opts: { data?: string }) => {
      const { freezesDelete } = await import('./commands/freezes.js');
      process.exitCode = await freezesDelete(await api(opts), name, io);
    });
}
