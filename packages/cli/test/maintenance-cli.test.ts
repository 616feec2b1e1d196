/**
 * `patchwise windows …` and `patchwise freezes …` through the real binary against a real
 * server process (PGlite), with the admin token the server left in its data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO, runCliAsync } from './run-cli.js';

let work: string;
let data: string;
let server: ChildProcess | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'patchwise-cli-windows-'));
  data = join(work, 'data');
  mkdirSync(data);
  // The run's migrated PGlite (vitest globalSetup) saves an initdb; without it the server makes one.
  const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
  if (template) cpSync(template, join(data, 'pglite'), { recursive: true });
  const child = spawn(process.execPath, [BIN, 'server', '--data', data, '--listen', '127.0.0.1:0'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  server = await new Promise<ChildProcess>((resolve, reject) => {
    let said = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      said += chunk;
      if (said.includes('listening on')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${said}`)));
  });
}, 60_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
});

describe('maintenance commands against a running server', () => {
  const cli = (...args: string[]) => runCliAsync([...args, '--data', data]);

  it('puts, lists, shows, previews and deletes a window; refuses bad input with exit 2 naming it', async () => {
    expect((await cli('groups', 'set', 'web', '--tag', 'web')).status).toBe(0);
    const put = await cli('windows', 'put', 'patch-tuesday', '--rrule', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', '--offset-days', '4', '--start', '22:00', '--duration', '4h', '--cutoff', '30m', '--time-zone', 'Europe/Berlin', '--group', 'web', '--description', 'second Tuesday + 4 days');
    expect(put.stderr).toBe('');
    expect(put.stdout).toBe('window patch-tuesday: FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2 +4 days at 22:00 Europe/Berlin for 4h, cutoff 30m; web\n');
    const sunday = await cli('windows', 'put', 'before', '--rrule', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', '--offset-days', '-2', '--start', '08:00', '--duration', '1h30m');
    expect(sunday.stdout, sunday.stderr).toBe("window before: FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2 -2 days at 08:00 each host's zone (else UTC) for 1h30m, cutoff 0m; every host\n");

    expect((await cli('windows', 'list')).stdout).toBe(
      [
        'WINDOW         RULE                              OFFSET  START  DURATION  CUTOFF  TIME ZONE      GROUPS',
        'before         FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2  -2d     08:00  1h30m     0m      (host)         (all)',
        'patch-tuesday  FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2  +4d     22:00  4h        30m     Europe/Berlin  web',
        '',
      ].join('\n'),
    );
    const listed = JSON.parse((await cli('windows', 'list', '--json')).stdout) as { name: string; durationMinutes: number }[];
    expect(listed.map((w) => [w.name, w.durationMinutes])).toEqual([
      ['before', 90],
      ['patch-tuesday', 240],
    ]);
    const shown = await cli('windows', 'show', 'patch-tuesday');
    expect(shown.stdout).toMatch(/^window patch-tuesday: FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2 \+4 days at 22:00 Europe\/Berlin for 4h, cutoff 30m\nsecond Tuesday \+ 4 days\napplies to web\nopens \d{4}-\d\d-\d\dT22:00:00\+0[12]:00, starts until /);

    const openings = await cli('windows', 'openings', 'patch-tuesday', '--from', '2026-01-01', '--to', '2026-04-01');
    expect(openings.stdout).toBe(
      [
        'openings of patch-tuesday in Europe/Berlin, 2026-01-01T00:00:00+01:00 to 2026-04-01T00:00:00+02:00',
        'OPENS                      STARTS UNTIL               CLOSES',
        '2026-01-17T22:00:00+01:00  2026-01-18T01:30:00+01:00  2026-01-18T02:00:00+01:00',
        '2026-02-14T22:00:00+01:00  2026-02-15T01:30:00+01:00  2026-02-15T02:00:00+01:00',
        '2026-03-14T22:00:00+01:00  2026-03-15T01:30:00+01:00  2026-03-15T02:00:00+01:00',
        '',
      ].join('\n'),
    );
    const tokyo = JSON.parse((await cli('windows', 'openings', 'before', '--from', '2026-01-01', '--to', '2026-02-01', '--time-zone', 'Asia/Tokyo', '--json')).stdout) as { timeZone: string; openings: { start: string }[] };
    expect(tokyo).toMatchObject({ timeZone: 'Asia/Tokyo', openings: [{ start: '2026-01-11T08:00:00+09:00' }] });

    const refusals: [string[], RegExp][] = [
      [['windows', 'put', 'bad', '--rrule', 'FREQ=HOURLY', '--start', '01:00', '--duration', '1h'], /window\.rrule: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY/],
      [['windows', 'put', 'bad', '--rrule', 'FREQ=DAILY', '--start', '01:00', '--duration', 'soon'], /--duration: "soon" is not a duration such as 30m, 4h/],
      [['windows', 'put', 'bad', '--rrule', 'FREQ=DAILY', '--start', '01:00', '--duration', '1h', '--cutoff', '1h'], /window\.cutoffMinutes: 60 leaves no time to start/],
      [['windows', 'put', 'bad', '--rrule', 'FREQ=DAILY', '--start', '01:00', '--duration', '1h', '--time-zone', 'Mars/Olympus'], /window\.timeZone: "Mars\/Olympus" is not an IANA time zone/],
      [['windows', 'put', 'bad', '--rrule', 'FREQ=DAILY', '--start', '01:00', '--duration', '1h', '--offset-days', 'four'], /--offset-days: "four" is not a whole number of days/],
      [['windows', 'put', 'bad', '--rrule', 'FREQ=DAILY', '--start', '01:00', '--duration', '1h', '--group', 'nowhere'], /window bad names group nowhere, which does not exist/],
      [['windows', 'openings', 'patch-tuesday', '--from', 'yesterday'], /from: expected an instant with its offset/],
      [['windows', 'show', 'nothing'], /no maintenance window named nothing/],
      [['groups', 'delete', 'web'], /group web is named by window patch-tuesday; change or delete that first/],
    ];
    for (const [args, message] of refusals) {
      const r = await cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    }
    expect((await cli('windows', 'delete', 'patch-tuesday')).stdout).toBe('window patch-tuesday deleted\n');
    expect((await cli('windows', 'delete', 'patch-tuesday')).status).toBe(2);
    expect((await cli('groups', 'delete', 'web')).status).toBe(0);
  });

  it('puts, lists and deletes freezes of whole days and of instants', async () => {
    expect((await cli('groups', 'set', 'prod', '--environment', 'prod')).status).toBe(0);
    const days = await cli('freezes', 'put', 'year-end', '--from', '2026-12-24', '--to', '2027-01-01', '--time-zone', 'Europe/Berlin', '--group', 'prod', '--reason', 'year-end change freeze');
    expect(days.stdout, days.stderr).toBe('freeze year-end: 2026-12-24 to 2027-01-01 (whole days, Europe/Berlin); prod: year-end change freeze\n');
    const instants = await cli('freezes', 'put', 'release', '--from', '2026-12-01T18:00:00+01:00', '--to', '2026-12-02T06:00:00Z', '--reason', 'release night');
    expect(instants.stdout, instants.stderr).toBe('freeze release: 2026-12-01T18:00:00+01:00 to 2026-12-02T06:00:00Z; every host: release night\n');
    expect((await cli('freezes', 'list')).stdout).toBe(
      [
        'FREEZE    FROM                       TO                    TIME ZONE      GROUPS  REASON',
        'release   2026-12-01T18:00:00+01:00  2026-12-02T06:00:00Z  -              (all)   release night',
        'year-end  2026-12-24                 2027-01-01            Europe/Berlin  prod    year-end change freeze',
        '',
      ].join('\n'),
    );
    const bad = await cli('freezes', 'put', 'bad', '--from', '2026-12-24', '--to', '2026-12-20', '--reason', 'x');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/freeze\.end: the last day comes before the first/);
    const missing = await cli('freezes', 'put', 'bad', '--from', '2026-12-24', '--to', '2026-12-26');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--reason/);
    expect((await cli('freezes', 'delete', 'release')).stdout).toBe('freeze release deleted\n');
    expect(JSON.parse((await cli('freezes', 'list', '--json')).stdout)).toMatchObject([{ name: 'year-end', groups: ['prod'] }]);
  });
});
